// Resource usage from the metrics server (metrics.k8s.io/v1beta1): containers near their memory
// limit before the OOM killer acts (thresholds.resources, % of the limit), containers at their cpu
// limit (throttled), nodes near their allocatable memory or cpu. Pods running without a memory
// limit or requests are listed in an ok finding: worth knowing, not an alarm. Without the metrics
// API the check says it cannot see, and how to install metrics-server.
import { formatPct } from '../../format.ts';
import type { Finding } from '../../../report.ts';
import { finding, plural, statusAbove, type KubeCheck, type KubeCheckContext } from '../check-context.ts';
// Types only: the kind's definition (and so this check) must not load the Kubernetes client.
import type { KubeProblem } from '../describe-kube-error.ts';
import { objectLabel, perObject } from '../object-findings.ts';
import { formatCpu, formatMemory } from '../quantity.ts';
import { workloadLabel, type WorkloadRef } from '../workload-of.ts';
import { tagWorkload } from '../workload-story.ts';

export const METRICS_SERVER_INSTALL = 'install metrics-server: kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml, or its Helm chart (helm repo add metrics-server https://kubernetes-sigs.github.io/metrics-server/ && helm upgrade --install metrics-server metrics-server/metrics-server -n kube-system)';
/** Workloads named in the ok finding about pods without limits or requests; more are counted. */
const UNBOUNDED_NAMED = 10;

const pct = (used: number, of: number) => Math.round((used / of) * 1000) / 10;

export const checkResources: KubeCheck = (ctx, t) => {
  const u = ctx.snapshot.usage;
  const out: Finding[] = [];
  const bad: Array<Finding & { label: string; pct: number; ref?: WorkloadRef }> = [];
  const cpuT = ctx.target.resourceUsagePct?.cpu ?? { warn: 90 };
  const nodeMemT = ctx.target.resourceUsagePct?.nodeMemory ?? { warn: 90, crit: 97 };
  const nodeCpuT = ctx.target.resourceUsagePct?.nodeCpu ?? { warn: 90 };

  if (u.podMetricsListed || !u.podMetricsProblem) {
    for (const [key, limits] of u.limits) {
      const used = u.containerUsage.get(key);
      if (!used) continue;
      const label = objectLabel('pod', { namespace: limits.namespace, name: limits.pod });
      const owner = limits.workload.kind === 'pod' ? '' : ` (${limits.workload.kind}/${limits.workload.name})`;
      if (limits.memoryLimit && used.memory !== undefined) {
        const p = pct(used.memory, limits.memoryLimit);
        const status = statusAbove(p, t);
        if (status !== 'ok') {
          bad.push({
            label,
            pct: p,
            ref: limits.workload,
            ...finding('resources', status, `${label}${owner}: container ${limits.container} uses ${formatPct(p)} of its memory limit (${formatMemory(used.memory)} of ${formatMemory(limits.memoryLimit)})`, {
              detail: `memory working set as the metrics server measured it; the kernel OOM-kills the container when it reaches the limit`,
              metrics: { memory_limit_pct: p, memory_bytes: Math.round(used.memory), memory_limit_bytes: limits.memoryLimit },
              fix: `raise the memory limit of ${limits.container} (now ${formatMemory(limits.memoryLimit)}) in ${workloadLabel(limits.workload)}, or find what makes it grow (kubectl top pod ${limits.pod} -n ${limits.namespace} --containers)`,
            }),
          });
        }
      }
      if (limits.cpuLimit && used.cpu !== undefined) {
        const p = pct(used.cpu, limits.cpuLimit);
        if (statusAbove(p, { warn: cpuT.warn, crit: Infinity }) !== 'ok') {
          bad.push({
            label,
            pct: p,
            ref: limits.workload,
            ...finding('resources', 'warn', `${label}${owner}: container ${limits.container} uses ${formatPct(p)} of its cpu limit (${formatCpu(used.cpu)} of ${formatCpu(limits.cpuLimit)}): throttled`, {
              detail: 'at its cpu limit the container is throttled: requests slow down and health probes may time out',
              metrics: { cpu_limit_pct: p, cpu_cores: Math.round(used.cpu * 1000) / 1000, cpu_limit_cores: limits.cpuLimit },
              fix: `raise the cpu limit of ${limits.container} (now ${formatCpu(limits.cpuLimit)}) in ${workloadLabel(limits.workload)}, remove it (keep the request), or add replicas`,
            }),
          });
        }
      }
    }
  }
  for (const [node, used] of u.nodeUsage) {
    const alloc = u.allocatable.get(node);
    if (!alloc) continue;
    const label = `node/${node}`;
    if (alloc.memory && used.memory !== undefined) {
      const p = pct(used.memory, alloc.memory);
      const status = statusAbove(p, nodeMemT);
      if (status !== 'ok') {
        bad.push({
          label,
          pct: p,
          ...finding('resources', status, `${label}: memory at ${formatPct(p)} of allocatable (${formatMemory(used.memory)} of ${formatMemory(alloc.memory)})`, {
            metrics: { node_memory_pct: p },
            fix: `the kubelet evicts pods when node ${node} runs out of memory: add nodes or move workloads (kubectl top pods -A --sort-by=memory shows the biggest), and check pods without memory limits`,
          }),
        });
      }
    }
    if (alloc.cpu && used.cpu !== undefined) {
      const p = pct(used.cpu, alloc.cpu);
      if (statusAbove(p, { warn: nodeCpuT.warn, crit: Infinity }) !== 'ok') {
        bad.push({
          label,
          pct: p,
          ...finding('resources', 'warn', `${label}: cpu at ${formatPct(p)} of allocatable (${formatCpu(used.cpu)} of ${formatCpu(alloc.cpu)})`, {
            metrics: { node_cpu_pct: p },
            fix: `pods on node ${node} compete for cpu: add nodes or spread the busiest workloads (kubectl top pods -A --sort-by=cpu)`,
          }),
        });
      }
    }
  }

  const blind = blindness(ctx);
  if (blind) out.push(blind);
  if (bad.length > 0) {
    // Tagged with their workload after the cut, so a deploy's evidence and rollback reach them.
    const refs = new Map(bad.flatMap((b) => (b.ref ? [[b.title, b.ref] as const] : [])));
    const listed = perObject('resources', bad.sort((a, b) => b.pct - a.pct).map(({ pct: _p, ref: _r, ...f }) => f), 'containers or nodes near their limits');
    for (const f of listed) {
      const ref = refs.get(f.title);
      out.push(ref && ref.kind !== 'pod' ? tagWorkload(f, { ref }) : f);
    }
  }
  else if (!blind) {
    out.push(finding('resources', 'ok', `Memory and cpu within limits (${plural(u.containerUsage.size, 'container')}, ${plural(u.nodeUsage.size, 'node')} measured)`));
  }
  const unbounded = unboundedFinding(ctx);
  if (unbounded) out.push(unbounded);
  return out;
};

/** Why measurements are missing, when they are: one unknown finding. */
function blindness(ctx: KubeCheckContext): Finding | undefined {
  const u = ctx.snapshot.usage;
  const problem: KubeProblem | undefined = (!u.podMetricsListed && u.podMetricsProblem) || (!u.nodeMetricsListed && u.nodeMetricsProblem) || undefined;
  if (!problem) return undefined;
  const absent = problem.kind === 'not_found' || /HTTP 503/.test(problem.text);
  const title = absent
    ? `Resource usage: cannot see, the metrics API (metrics.k8s.io/v1beta1) is ${problem.kind === 'not_found' ? 'not served: metrics-server is not installed' : 'registered but not answering (503)'}`
    : `Resource usage: cannot read the metrics API: ${problem.text}`;
  const fix = problem.kind === 'not_found'
    ? METRICS_SERVER_INSTALL
    : absent
      ? 'check the metrics-server pods in kube-system and its APIService (kubectl get apiservice v1beta1.metrics.k8s.io shows why it is not Available)'
      : problem.kind === 'forbidden' ? `${problem.text}${problem.fix ? `: ${problem.fix}` : ''}` : (problem.fix ?? 'kubectl top nodes shows whether the metrics API answers');
  return finding('resources', 'unknown', title, { fix });
}

/** Pods running without a memory limit or any request, by workload: an ok finding, worth knowing. */
function unboundedFinding(ctx: KubeCheckContext): Finding | undefined {
  const u = ctx.snapshot.usage;
  if (u.unboundedPods === 0) return undefined;
  const groups = [...u.unbounded.values()].sort((a, b) => b.pods - a.pods);
  const named = groups.slice(0, UNBOUNDED_NAMED).map((g) => `${g.ref.kind}/${g.ref.name} in ${g.ref.namespace} (${plural(g.pods, 'pod')})`);
  if (groups.length > UNBOUNDED_NAMED) named.push(`${groups.length - UNBOUNDED_NAMED} more workloads`);
  return finding('resources', 'ok', `${plural(u.unboundedPods, 'running pod')} without a memory limit or requests: ${named.slice(0, 3).join(', ')}${named.length > 3 ? ', …' : ''}`, {
    detail: named.join('\n'),
    metrics: { pods_without_limits: u.unboundedPods },
    fix: 'set resources.requests (cpu, memory) and a memory limit on their containers: without them the scheduler cannot place the pods well and one leak can starve its node',
  });
}
