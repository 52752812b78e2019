// Loaded with --import into each replica of the soak benchmark: measures the process's event-loop
// delay (perf_hooks' histogram, 10 ms resolution) and its garbage-collection pauses, and appends
// one JSON line per window to the file BENCH_LAG_FILE names: the window's end, p50, p99 and max
// delay in milliseconds, and per kind of collection (minor: scavenges, major: mark-compact) how
// many ran, their total and their longest pause. The soak reads the delay when the bot does not
// serve the figure at GET /metrics, and prints the pauses.
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const file = process.env.BENCH_LAG_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const fresh = () => ({ minor: { n: 0, ms: 0, max: 0 }, major: { n: 0, ms: 0, max: 0 }, other: { n: 0, ms: 0, max: 0 } });
  let gc = fresh();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = entry.detail?.kind;
      const slot = kind === constants.NODE_PERFORMANCE_GC_MINOR ? gc.minor : kind === constants.NODE_PERFORMANCE_GC_MAJOR ? gc.major : gc.other;
      slot.n += 1;
      slot.ms += entry.duration;
      slot.max = Math.max(slot.max, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    const line = { at: Date.now(), p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, gc };
    histogram.reset();
    gc = fresh();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, Number(process.env.BENCH_LAG_WINDOW_MS ?? 10_000));
  // The window timer must not keep a stopping bot alive.
  timer.unref();
}
