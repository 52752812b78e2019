// A target that names the Kubernetes workload behind it (an http target's `workload:`, a PromQL
// query's `workload:`) must name a k8s target that is configured, or leave it out when exactly one
// is: found when the config is loaded, not at 3 a.m. when the 5xx comes.
import type { ConfigProblem, Target } from './config.ts';

interface Ref {
  path: string;
  target?: string | undefined;
}

function refsOf(t: Target): Ref[] {
  const keys = t as unknown as { workload?: { target?: string }; queries?: unknown };
  const refs: Ref[] = [];
  if (t.kind === 'http' && keys.workload) refs.push({ path: `targets.${t.name}.workload.target`, target: keys.workload.target });
  if (t.kind === 'prometheus' && Array.isArray(keys.queries)) {
    keys.queries.forEach((q: unknown, i) => {
      const w = (q as { workload?: { target?: unknown } } | null)?.workload;
      if (w && typeof w === 'object') refs.push({ path: `targets.${t.name}.queries[${i}].workload.target`, target: typeof w.target === 'string' ? w.target : undefined });
    });
  }
  return refs;
}

export function workloadRefProblems(targets: readonly Target[]): ConfigProblem[] {
  const kube = targets.filter((t) => t.kind === 'k8s').map((t) => t.name);
  const accepted = `k8s targets: ${kube.join(', ') || 'none'}`;
  return targets.flatMap((t) =>
    refsOf(t).flatMap((ref): ConfigProblem[] => {
      if (ref.target !== undefined) return kube.includes(ref.target) ? [] : [{ path: ref.path, message: `"${ref.target}" is not a configured k8s target; ${accepted}` }];
      if (kube.length === 1) return [];
      return [{ path: ref.path, message: kube.length === 0 ? 'a workload needs a k8s target to read its logs through, and none is configured' : `required with several k8s targets; ${accepted}` }];
    }),
  );
}
