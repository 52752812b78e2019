// The k8s kind run bare: its findings without a report, for the benchmark that measures one
// run's memory in a process of its own. The bot runs it through runProbe.
import { runKindChecks } from '../run-kind-checks.ts';
import type { ProbeContext } from '../probe-definition.ts';
import type { Finding } from '../../report.ts';
import { kubernetesKind } from './kubernetes-kind.ts';
import type { KubeTarget } from './kube-target.ts';

export const kubernetesProbe = {
  kind: kubernetesKind.kind,
  checks: kubernetesKind.checks,
  run: (target: KubeTarget, ctx: ProbeContext): Promise<Finding[]> => runKindChecks(kubernetesKind, target, ctx),
};
