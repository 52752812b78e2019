// The bot side of the /diag logs benchmark, in a process of its own so its memory figures are not
// mixed with the fake API server's: diagLogs (what commands/diag.ts calls for `/diag logs`) on one
// workload, 1 warm-up and `runs` timed runs. Usage: node --expose-gc bench/logs-diag-child.ts
// <kubeconfig> <namespace> <deployment> [runs]. Prints one JSON line on stdout.
import { kubeTargetSchema, type KubeTarget } from '../src/probes/kubernetes/kube-target.ts';
import { resolveThresholds } from '../src/probes/probe-definition.ts';
import type { Report } from '../src/report.ts';
// Everything the running bot has loaded, so growth is what a /diag logs adds to the bot's idle figure.
import '../src/start-bot.ts';
import { kubernetesKind } from '../src/probes/kubernetes/kubernetes-kind.ts';
import { diagLogs } from '../src/probes/kubernetes/logs/logs-form.ts';
import { DEFAULT_SINCE_S } from '../src/probes/kubernetes/logs/parse-since.ts';
await kubernetesKind.runtime();

const [kubeconfig, namespace, deployment] = process.argv.slice(2);
const runs = Number(process.argv[5] || 5);
const WARMUP = 1;
const SAMPLE_MS = 5;
if (!kubeconfig || !namespace || !deployment) {
  process.stderr.write('usage: logs-diag-child.ts <kubeconfig> <namespace> <deployment> [runs]\n');
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

globalThis.gc?.();
await new Promise((r) => setTimeout(r, 50));
globalThis.gc?.();
const idleRss = process.memoryUsage.rss();
const maxRssAtIdle = process.resourceUsage().maxRSS * 1024;
let sampledPeak = idleRss;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}, SAMPLE_MS);

const times: number[] = [];
let report: Report | undefined;
for (let i = 0; i < WARMUP + runs; i++) {
  const t0 = performance.now();
  report = await diagLogs(target, { kind: 'deployment', namespace, name: deployment }, { sinceSeconds: DEFAULT_SINCE_S, secrets: [] });
  const dt = performance.now() - t0;
  if (i >= WARMUP) times.push(dt);
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}
clearInterval(sampler);
const maxRss = process.resourceUsage().maxRSS * 1024;
const peakRss = maxRss > maxRssAtIdle ? Math.max(sampledPeak, maxRss) : sampledPeak;
const round = (v: number) => Math.round(v * 10) / 10;
const summary = report!.findings.at(-1)!;
const result = {
  idleRssMb: round(idleRss / MB),
  peakRssMb: round(peakRss / MB),
  growthMb: round((peakRss - idleRss) / MB),
  times: times.map(round),
  status: report!.status,
  findings: report!.findings.length,
  patterns: report!.findings.filter((f) => f.status === 'warn').length,
  summary: { status: summary.status, title: summary.title, detail: summary.detail ?? '', metrics: summary.metrics ?? {} },
};
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
