// Images that cannot be pulled, classified from the kubelet's words (the container's waiting
// message, else the newest "Failed" event): not found, unauthorized, registry unreachable.
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, groupByWorkload, perWorkload, podsOfWorkload, statusAbove, type KubeCheck } from '../check-context.ts';
import { podEvent } from '../cluster-snapshot.ts';
import { workloadLabel } from '../workload-of.ts';

const PULL_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);

type PullFailure = 'not found' | 'unauthorized' | 'not found or no access' | 'registry unreachable or slow' | 'invalid image name' | 'unknown cause';

function classifyPullFailure(reason: string, text: string): PullFailure {
  if (reason === 'InvalidImageName') return 'invalid image name';
  if (/manifest unknown|not found|does not exist|name unknown|no such manifest/i.test(text) && !/may require/i.test(text)) return 'not found';
  if (/unauthorized|authentication required|401|403|forbidden|no basic auth credentials|denied: access/i.test(text)) return 'unauthorized';
  if (/pull access denied|may require/i.test(text)) return 'not found or no access';
  if (/timeout|timed out|deadline exceeded|i\/o timeout|connection refused|no such host|network is unreachable|TLS handshake/i.test(text)) return 'registry unreachable or slow';
  return 'unknown cause';
}

/** What to change for each kind of pull failure. */
const PULL_FIXES: Partial<Record<PullFailure, string>> = {
  'not found': 'correct the image name or tag in the workload\'s spec, or push the image',
  'unauthorized': 'give the pods credentials for the registry: an imagePullSecret in the pod spec or its service account',
  'not found or no access': 'check that the image exists, and give the pods credentials for the registry (imagePullSecrets) if it is private',
  'registry unreachable or slow': 'check that the nodes reach the registry (DNS, firewall, proxy) or wait for the registry to recover',
  'invalid image name': 'correct the image reference in the workload\'s spec',
};

export const checkImagePull: KubeCheck = (ctx, t) => {
  const failing = ctx.snapshot.containers.filter((c) => c.waiting && PULL_REASONS.has(c.waiting.reason));
  if (failing.length === 0) return [finding('image_pull', 'ok', 'No image pull failures')];
  return perWorkload('image_pull', groupByWorkload(failing, (c) => c.pod.workload).map(({ ref, items }) => {
    const first = items[0]!;
    const event = podEvent(ctx.snapshot, first.pod, ['Failed']);
    const text = [first.waiting?.message, event?.message].filter(Boolean).join(' ');
    const cause = classifyPullFailure(first.waiting!.reason, text);
    const age = Math.max(...items.map((c) => ageSeconds(ctx, c.pod.createdAt) ?? 0));
    const pods = new Set(items.map((c) => c.pod.name));
    const title = `${workloadLabel(ref)}: image ${first.image ?? '?'} ${cause} (${first.waiting!.reason} on ${pods.size} ${pods.size === 1 ? 'pod' : 'pods'} for ${formatDuration(age)})`;
    return {
      ...finding('image_pull', statusAbove(age, t) === 'ok' ? 'warn' : statusAbove(age, t), title, {
        ...(text && { detail: text }),
        metrics: { pods: pods.size, seconds: Math.round(age) },
        ...(PULL_FIXES[cause] && { fix: PULL_FIXES[cause] }),
      }),
      ref,
      story: { cause: `image ${first.image ?? '?'} cannot be pulled: ${cause} (${first.waiting!.reason} on ${podsOfWorkload(ctx, ref, pods)} for ${formatDuration(age)})` },
    };
  }), 'image pull failures');
};
