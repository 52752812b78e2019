// HorizontalPodAutoscalers (autoscaling/v2) that cannot do their job: held at their maximum
// (ScalingLimited=True, TooManyReplicas: load wants more pods than allowed) or unable to compute
// their metrics (ScalingActive=False, with the controller's message). At the minimum is healthy.
import { finding, type KubeCheck } from '../check-context.ts';
import { objectLabel, perObject } from '../object-findings.ts';

export const checkHpa: KubeCheck = (ctx) => {
  const r = ctx.snapshot.resources;
  const bad = r.hpas.map((h) => {
    const label = objectLabel('horizontalpodautoscaler', h);
    const parts: string[] = [];
    const fixes: string[] = [];
    if (h.limitedTooMany) {
      parts.push(`at its maximum of ${h.max} replicas (ScalingLimited: TooManyReplicas)`);
      fixes.push(`raise maxReplicas of ${h.name} if the cluster has room, or find why load on ${h.target} grew`);
    }
    if (h.inactive) {
      parts.push(`cannot compute its metrics (${h.inactive.reason}${h.inactive.message ? `: ${h.inactive.message}` : ''})`);
      fixes.push('check the metrics API it reads (kubectl get apiservices | grep metrics; metrics-server or the custom metrics adapter) and that the pods of the target set resource requests');
    }
    return {
      label,
      ...finding('hpa', 'warn', `${label}: ${parts.join('; ')}`, {
        detail: `scales ${h.target} between ${h.min} and ${h.max}, now ${h.current}${h.limitedTooMany ? `\n${h.limitedTooMany}` : ''}\nkubectl describe hpa ${h.name} -n ${h.namespace}`,
        metrics: { current_replicas: h.current, max_replicas: h.max },
        fix: fixes.join('; '),
      }),
    };
  });
  if (bad.length === 0) return [finding('hpa', 'ok', `All ${r.hpaCount} autoscalers compute their metrics and have room to scale`)];
  return perObject('hpa', bad, 'autoscalers');
};
