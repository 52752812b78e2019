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
import { measureRuns } from './measure-runs.ts';
// A kind loads its client library on its first run; the bot that answers /diag k8s has it loaded.
// Loaded here, so growth is what a report adds, not the library's first load.
import { kubernetesKind } from '../src/probes/kubernetes/kubernetes-kind.ts';
await kubernetesKind.runtime();

const kubeconfig = process.argv[2] || process.env.BENCH_KUBECONFIG;
const namespace = process.argv[3] || process.env.BENCH_NAMESPACE || 'bench';
const runs = Number(process.argv[4] || process.env.BENCH_K8S_RUNS || 15);
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

// BENCH_K8S_CHECKS=api,crashloop,... runs only those checks (and lists only what they need).
const only = process.env.BENCH_K8S_CHECKS ? new Set(process.env.BENCH_K8S_CHECKS.split(',')) : undefined;
const m = await measureRuns(runs, () => runKindChecks(kubernetesKind, target, { signal: new AbortController().signal, log, state }, only));
const findings: Finding[] = m.last;
const statuses: Record<Status, number> = { ok: 0, warn: 0, crit: 0, unknown: 0 };
const checks: Record<string, Partial<Record<Status, number>>> = {};
for (const f of findings) {
  statuses[f.status] += 1;
  const c = (checks[f.check] ??= {});
  c[f.status] = (c[f.status] ?? 0) + 1;
}
const round = (v: number) => Math.round(v * 10) / 10;
const result = {
  namespace,
  idleRssMb: round(m.idleRss / MB),
  peakRssMb: round(m.peakRss / MB),
  sampledPeakRssMb: round(m.sampledPeak / MB),
  maxRssMb: round(m.maxRss / MB),
  maxRssAtIdleMb: round(m.maxRssAtIdle / MB),
  growthMb: round((m.peakRss - m.idleRss) / MB),
  retainedHeapMb: round(m.retainedHeap / MB),
  times: m.times.map(round),
  findings: findings.length,
  statuses,
  checks,
  apiTitle: findings.find((f) => f.check === 'k8s.api')?.title ?? '',
};
// Keep-alive sockets to the API server would hold the process open.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
