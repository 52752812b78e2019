// The Kubernetes probe: list pods, events, workloads and nodes a page at a time, fold them into
// a snapshot, then judge it with pure checks. One round of lists answers every check; an API
// error becomes a k8s.api finding and the checks that needed that list say they could not run.
import { z } from 'zod';
import type { Finding } from '../../report.ts';
import { checkSpecs, runGuarded, type CheckEntry } from '../guarded-check.ts';
import { resolveThresholds, type CheckSpec, type ProbeContext, type ProbeDefinition } from '../probe-definition.ts';
import type { Remembered } from '../probe-state.ts';
import { scrubFindings, sortedSecrets } from '../scrub-findings.ts';
import { untilDeadline } from '../until-deadline.ts';
import { UserError } from '../../user-error.ts';
import { finding, type KubeCheckContext } from './check-context.ts';
import { collectCluster } from './collect-cluster.ts';
import { createKubeClient, loadKubeConfig } from './kube-client.ts';
import { kubeTargetSchema, watchesNamespace, type KubeTarget } from './kube-target.ts';
import { checkApi } from './checks/api.ts';
import { checkCrashloop } from './checks/crashloop.ts';
import { checkDeployments } from './checks/deployments.ts';
import { checkImagePull } from './checks/image-pull.ts';
import { checkNodes } from './checks/nodes.ts';
import { checkOomKilled } from './checks/oomkilled.ts';
import { checkPending } from './checks/pending.ts';
import { checkReadiness } from './checks/readiness.ts';
import { checkRestarts, RESTARTS_STATE_KEY } from './checks/restarts.ts';
import { checkWarningEvents } from './checks/warning-events.ts';

type Entry = CheckEntry<KubeCheckContext> & { needs?: readonly string[] };

const POD_LISTS = ['pods'];
const ENTRIES: Entry[] = [
  { name: 'api', label: 'API', description: 'The API server answers, the credentials are accepted, the namespaces exist and every list is allowed (a 403 names the missing verb and resource).' },
  { name: 'crashloop', label: 'Crashloops', needs: POD_LISTS, description: 'Containers (init containers too) waiting in CrashLoopBackOff: restart count and how the last run ended; 2+ restarts = crit.', run: async (c) => checkCrashloop(c) },
  { name: 'oomkilled', label: 'OOM kills', needs: POD_LISTS, description: 'Containers whose current or last run ended OOMKilled, with their memory limit and request.', thresholds: { warn: 1440, crit: 60, unit: 'min since the kill (below)' }, run: async (c) => checkOomKilled(c) },
  { name: 'image_pull', label: 'Image pulls', needs: POD_LISTS, description: 'ImagePullBackOff / ErrImagePull classified from the kubelet\'s words: not found, unauthorized, registry unreachable.', thresholds: { warn: 0, crit: 120, unit: 's failing' }, run: async (c) => checkImagePull(c) },
  { name: 'pending', label: 'Pending pods', needs: POD_LISTS, description: 'Pods Pending too long, with the scheduler\'s reason (insufficient cpu/memory, taints, volume claims) or what blocks the containers.', thresholds: { warn: 300, crit: 900, unit: 's pending' }, run: async (c) => checkPending(c) },
  { name: 'deployments', label: 'Workloads', needs: ['deployments', 'statefulsets', 'daemonsets'], description: 'Deployments, statefulsets and daemonsets with unavailable replicas (crit by fraction or when none is available), ProgressDeadlineExceeded, or paused.', thresholds: { warn: 0, crit: 50, unit: '% of replicas unavailable' }, run: async (c) => checkDeployments(c) },
  { name: 'restarts', label: 'Restarts', needs: POD_LISTS, description: 'Restart count growth since the previous run, per workload, as restarts per 10 minutes.', thresholds: { warn: 4, crit: 10, unit: 'restarts per 10 min' }, run: async (c) => checkRestarts(c) },
  { name: 'readiness', label: 'Readiness', needs: POD_LISTS, description: 'Running containers not ready for a while, with the newest Unhealthy / ProbeError event.', thresholds: { warn: 60, crit: Infinity, unit: 's not ready (warn only by default)' }, run: async (c) => checkReadiness(c) },
  { name: 'nodes', label: 'Nodes', description: 'Node Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable, cordoned.', run: async (c) => checkNodes(c) },
  { name: 'warning_events', label: 'Warning events', description: 'Recent Warning events grouped by reason, newest message of each (informational; volume, eviction and sandbox failures warn).', run: async (c) => checkWarningEvents(c) },
];

const CHECKS: readonly CheckSpec[] = checkSpecs(ENTRIES);

/** Failures after which nothing else can be learned from the cluster. */
const FATAL = new Set(['unauthorized', 'unreachable', 'timeout', 'tls']);

export const kubernetesProbe: ProbeDefinition<KubeTarget> = {
  kind: 'k8s',
  aliases: ['kubernetes', 'kube'],
  description: 'Kubernetes: crashloops, OOM kills, image pulls, pending pods, workload availability and rollouts, restarts, readiness, nodes, warning events',
  checks: CHECKS,
  targetSchema: kubeTargetSchema as unknown as z.ZodType<Omit<KubeTarget, 'name' | 'kind' | 'thresholds' | 'timeoutMs'>>,
  fromUrl: (url) => kubeTargetSchema.parse({ server: url }),
  narrow: narrowToNamespace,
  run: runKubernetesProbe,
};

/** `/diag k8s <target> <namespace>`: one of the target's namespaces (any, when it watches all). */
function narrowToNamespace(target: KubeTarget, args: readonly string[]): KubeTarget {
  if (args.length === 0) return target;
  const [namespace, ...extra] = args;
  if (extra.length > 0) throw new UserError(`too many words after ${target.name}: ${args.join(' ')}; expected at most a namespace`);
  if (!watchesNamespace(target, namespace!)) {
    throw new UserError(`${target.name} does not watch namespace "${namespace}"; its namespaces: ${(target.namespaces as string[]).join(', ')}`);
  }
  return { ...target, namespaces: [namespace!] };
}

async function runKubernetesProbe(target: KubeTarget, ctx: ProbeContext): Promise<Finding[]> {
  const timeoutMs = target.timeoutMs > 0 ? target.timeoutMs : 5_000;
  const scrub = (findings: Finding[]) => scrubFindings(findings, sortedSecrets(target.token ? [target.token] : []));
  let client;
  try {
    client = createKubeClient(loadKubeConfig(target));
  } catch (e) {
    return scrub([finding('api', 'crit', `Cannot load the cluster credentials: ${e instanceof Error ? e.message : String(e)}`, {
      detail: 'Set kubeconfig (and context) or inCluster: true for this target; kubectl config get-contexts lists the contexts.',
    })]);
  }
  const stateKey = `${RESTARTS_STATE_KEY}:${target.namespaces === 'all' ? '*' : [...target.namespaces].sort().join(',')}`;
  const previous = untilDeadline(
    ctx.state.get<Record<string, number>>(stateKey).catch(() => undefined),
    timeoutMs,
    ctx.signal,
  );
  const now = Date.now();
  const snapshot = await collectCluster(client, target, { signal: ctx.signal, timeoutMs, now, namespaces: target.namespaces });
  const api = checkApi({ snapshot, target, thresholds: () => ({ warn: Infinity, crit: Infinity }), now });
  const podsFailed = snapshot.failed.find((f) => f.resource === 'pods');
  if (podsFailed && FATAL.has(podsFailed.problem.kind)) return scrub(api);

  const thresholds = resolveThresholds({ checks: CHECKS }, target.thresholds);
  const remembered = (await previous) as Remembered<Record<string, number>> | undefined;
  const checkCtx: KubeCheckContext = {
    snapshot,
    target,
    thresholds: (check) => thresholds[check] ?? { warn: Infinity, crit: Infinity },
    now,
    ...(remembered && { previousRestarts: remembered }),
  };
  const findings: Finding[] = [...api];
  for (const entry of ENTRIES) {
    if (!entry.run) continue;
    const missing = snapshot.failed.find((f) => entry.needs?.includes(f.resource));
    if (missing) {
      findings.push(finding(entry.name, 'unknown', `${entry.label}: could not check (${missing.problem.text})`));
      continue;
    }
    findings.push(...(await runGuarded(entry as Entry & { run: NonNullable<Entry['run']> }, checkCtx, (check, title) => finding(check, 'unknown', title), (e) => (e instanceof Error ? e.message : String(e)))));
  }
  if (!podsFailed && !ctx.signal.aborted) {
    await untilDeadline(ctx.state.set(stateKey, Object.fromEntries(snapshot.restartCounts)).catch(() => undefined), 1_000, ctx.signal);
  }
  return scrub(findings);
}
