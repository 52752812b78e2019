// Loaded with --import into each replica of the soak benchmark: measures the process's event-loop
// delay (perf_hooks' histogram, 10 ms resolution) and appends one JSON line per window to the file
// BENCH_LAG_FILE names: the window's end, p50, p99 and max in milliseconds. The soak reads it when
// the bot does not serve the figure at GET /metrics.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LAG_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const line = { at: Date.now(), p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
    histogram.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, Number(process.env.BENCH_LAG_WINDOW_MS ?? 10_000));
  // The window timer must not keep a stopping bot alive.
  timer.unref();
}
