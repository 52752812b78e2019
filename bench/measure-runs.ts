// The timing and memory harness of the bench's child processes: GC to an idle figure, 1 warm-up
// and `runs` timed runs of `fn`, the RSS sampled every 5 ms and the kernel's high-water mark, and
// what the runs left reachable after a full GC (a leak shows there, a heap V8 merely grew does not).
// Run the process with --expose-gc.

export interface MeasuredRuns<T> {
  /** What the last run returned. */
  last: T;
  /** Milliseconds of each timed run (the warm-up left out). */
  times: number[];
  idleRss: number;
  /** The higher of the sampled peak and maxRSS, when the runs raised maxRSS above its start-up mark. */
  peakRss: number;
  sampledPeak: number;
  maxRss: number;
  maxRssAtIdle: number;
  retainedHeap: number;
}

const WARMUP = 1;
const SAMPLE_MS = 5;

export async function measureRuns<T>(runs: number, fn: () => Promise<T>): Promise<MeasuredRuns<T>> {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc?.();
  const idleRss = process.memoryUsage.rss();
  const idleHeap = process.memoryUsage().heapUsed;
  // Loading the modules may already have set the process's high-water mark above idle.
  const maxRssAtIdle = process.resourceUsage().maxRSS * 1024;
  let sampledPeak = idleRss;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  const times: number[] = [];
  let last!: T;
  try {
    for (let i = 0; i < WARMUP + runs; i++) {
      const t0 = performance.now();
      last = await fn();
      const dt = performance.now() - t0;
      if (i >= WARMUP) times.push(dt);
      sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
    }
  } finally {
    clearInterval(sampler);
  }
  // maxRSS (kilobytes) also catches a peak between two samples; it only counts when the runs raised
  // it, otherwise it is the start-up mark.
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const peakRss = maxRss > maxRssAtIdle ? Math.max(sampledPeak, maxRss) : sampledPeak;
  globalThis.gc?.();
  const retainedHeap = process.memoryUsage().heapUsed - idleHeap;
  return { last, times, idleRss, peakRss, sampledPeak, maxRss, maxRssAtIdle, retainedHeap };
}
