// The bot side of the /diag k8s benchmark, in a process of its own so its memory figures are not
// mixed with the fake API server's. Usage: node --expose-gc bench/k8s-probe-child.ts <kubeconfig>
// <namespace> [runs] (kubeconfig also from BENCH_KUBECONFIG). Prints one JSON line on stdout.
import { runKindChecks } from '../src/probes/run-kind-checks.ts';
import { kubeTargetSchema, type KubeTarget } from '../src/probes/kubernetes/kube-target.ts';
import { resolveThresholds } from '../src/probes/probe-definition.ts';
import { MemoryProbeStateStore } from '../src/probes/probe-state.ts';
import { silentLogger } from '../src/logger.ts';
import type { Finding, Status } from '../src/report.ts';
// Everything the running bot has loaded (Slack, pg, charts, every probe), so the idle figure is
// the bot's idle figure and growth is what a report adds to it.
import '../src/start-bot.ts';
// A kind loads its client library on its first run; the bot that answers /diag k8s has it loaded.
// Loaded here, so growth is what a report adds, not the library's first load.
import { kubernetesKind } from '../src/probes/kubernetes/kubernetes-kind.ts';
await kubernetesKind.runtime();

const kubeconfig = process.argv[2] || process.env.BENCH_KUBECONFIG;
const namespace = process.argv[3] || process.env.BENCH_NAMESPACE || 'bench';
const runs = Number(process.argv[4] || process.env.BENCH_K8S_RUNS || 15);
const WARMUP = 1;
const SAMPLE_MS = 5;
if (!kubeconfig) {
  process.stderr.write('usage: k8s-probe-child.ts <kubeconfig> [namespace] [runs]\n');
  process.exit(2);
}

const MB = 1024 * 1024;
const target = {
  ...kubeTargetSchema.parse({ kubeconfig, namespaces: [namespace] }),
  name: 'bench-cluster',
  kind: 'k8s',
  timeoutMs: 10_000,
  thresholds: resolveThresholds(kubernetesKind),
} as KubeTarget;
// One store for all runs, as the bot keeps one: later runs compare restarts with the previous.
const state = new MemoryProbeStateStore().forTarget(target.name);
const log = silentLogger();

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
let findings: Finding[] = [];
for (let i = 0; i < WARMUP + runs; i++) {
  const t0 = performance.now();
  findings = await runKindChecks(kubernetesKind, target, { signal: new AbortController().signal, log, state });
  const dt = performance.now() - t0;
  if (i >= WARMUP) times.push(dt);
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}
clearInterval(sampler);

// maxRSS (kilobytes) also catches a peak between two samples; it only counts when the runs raised
// it, otherwise it is the start-up mark.
const maxRss = process.resourceUsage().maxRSS * 1024;
const peakRss = maxRss > maxRssAtIdle ? Math.max(sampledPeak, maxRss) : sampledPeak;
const statuses: Record<Status, number> = { ok: 0, warn: 0, crit: 0, unknown: 0 };
const checks: Record<string, Partial<Record<Status, number>>> = {};
for (const f of findings) {
  statuses[f.status] += 1;
  const c = (checks[f.check] ??= {});
  c[f.status] = (c[f.status] ?? 0) + 1;
}
// What the runs left reachable: tells a leak from a heap V8 merely grew and kept.
globalThis.gc?.();
const retainedHeap = process.memoryUsage().heapUsed - idleHeap;
const round = (v: number) => Math.round(v * 10) / 10;
const result = {
  namespace,
  idleRssMb: round(idleRss / MB),
  peakRssMb: round(peakRss / MB),
  sampledPeakRssMb: round(sampledPeak / MB),
  maxRssMb: round(maxRss / MB),
  maxRssAtIdleMb: round(maxRssAtIdle / MB),
  growthMb: round((peakRss - idleRss) / MB),
  retainedHeapMb: round(retainedHeap / MB),
  times: times.map(round),
  findings: findings.length,
  statuses,
  checks,
  apiTitle: findings.find((f) => f.check === 'k8s.api')?.title ?? '',
};
// Keep-alive sockets to the API server would hold the process open.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
