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
import { measureRuns } from './measure-runs.ts';
await kubernetesKind.runtime();

const [kubeconfig, namespace, deployment] = process.argv.slice(2);
const runs = Number(process.argv[5] || 5);
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

const m = await measureRuns(runs, () => diagLogs(target, { kind: 'deployment', namespace, name: deployment }, { sinceSeconds: DEFAULT_SINCE_S, secrets: [] }));
const report: Report = m.last;
const round = (v: number) => Math.round(v * 10) / 10;
const summary = report.findings.at(-1)!;
const result = {
  idleRssMb: round(m.idleRss / MB),
  peakRssMb: round(m.peakRss / MB),
  growthMb: round((m.peakRss - m.idleRss) / MB),
  times: m.times.map(round),
  status: report.status,
  findings: report.findings.length,
  patterns: report.findings.filter((f) => f.status === 'warn').length,
  summary: { status: summary.status, title: summary.title, detail: summary.detail ?? '', metrics: summary.metrics ?? {} },
};
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
