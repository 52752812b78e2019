// The Kubernetes remedies: rollout restart (what `kubectl rollout restart` does, then the rollout
// watched to its end), roll back to the previous revision (`kubectl rollout undo`, watched the
// same way), scale, delete one pod, and a container's recent logs. Each is allowed only
// for what the target's config allows, checked again at every press.
import * as k8s from '@kubernetes/client-node';
import type { Target } from '../../config/config.ts';
import { describeKubeError, problemWords, type KubeRequestDescription } from './describe-kube-error.ts';
import { createKubeClient, KubeConfigProblem, loadKubeConfig, type KubeClient } from './kube-client.ts';
import type { KubeTarget } from './kube-target.ts';
import { formatDuration } from '../format.ts';
import { redactSecrets } from '../../redact-secrets.ts';
import { UserError } from '../../user-error.ts';
import type { ActionContext, ActionExecutor, ActionIo, ActionParams } from '../../actions/action-executor.ts';
import { K8S_CONTAINER, K8S_NAME, K8S_NAMESPACE, K8S_REVISION, K8S_ROLLBACK_KIND, K8S_WORKLOAD_KIND, SCALE_REPLICAS } from './kubernetes-params.ts';
import { assertParams } from '../../actions/validate-params.ts';
import { daemonSetRolloutStatus, deploymentRolloutStatus, statefulSetRolloutStatus, type RolloutStatus } from './rollout-status.ts';

/** Lines of logs a Logs button shows. */
export const LOG_LINES = 50;
/** Without a progress deadline of its own (statefulsets, daemonsets), a rollout gets this long. */
const DEFAULT_DEADLINE_S = 600;
/** After the deadline, how long the controller gets to say ProgressDeadlineExceeded itself. */
const DEADLINE_GRACE_S = 30;
const ERROR_LINE = /\b(error|exception|fatal|panic|traceback|critical|fail(ed|ure)?)\b/i;

interface Workload {
  namespace: string;
  kind: 'deployment' | 'statefulset' | 'daemonset';
  name: string;
}

function kube(target: Target): { client: KubeClient; target: KubeTarget } {
  const t = target as unknown as KubeTarget;
  try {
    return { client: createKubeClient(loadKubeConfig(t)), target: t };
  } catch (e) {
    // The target's configuration leads to no cluster: said as the probe says it, with the fix.
    if (e instanceof KubeConfigProblem) throw new UserError(`${e.message} (${e.fix})`, { cause: e });
    throw e;
  }
}

/** The workload a restart or scale names, its names checked as Kubernetes names before any request. */
function workloadOf(p: ActionParams): Workload {
  assertParams(p, { namespace: K8S_NAMESPACE, workload: K8S_WORKLOAD_KIND, name: K8S_NAME });
  return { namespace: String(p.namespace), kind: String(p.workload) as Workload['kind'], name: String(p.name) };
}

/** Runs one API call bounded by the target's timeout, turning its failure into words. */
async function call<T>(client: KubeClient, target: KubeTarget, request: KubeRequestDescription, fn: (o: k8s.ConfigurationOptions) => Promise<T>, extra?: k8s.ConfigurationOptions): Promise<T> {
  try {
    return await fn(client.options(new AbortController().signal, target.timeoutMs, extra));
  } catch (error) {
    throw new UserError(problemWords(describeKubeError(error, request, target.timeoutMs, client.server)), { cause: error });
  }
}

async function readWorkload(client: KubeClient, target: KubeTarget, w: Workload): Promise<k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet> {
  const req: KubeRequestDescription = { verb: 'get', resource: `${w.kind}s`, namespace: w.namespace, name: w.name };
  const args = { name: w.name, namespace: w.namespace };
  if (w.kind === 'deployment') return await call(client, target, req, (o) => client.apps.readNamespacedDeployment(args, o));
  if (w.kind === 'statefulset') return await call(client, target, req, (o) => client.apps.readNamespacedStatefulSet(args, o));
  return await call(client, target, req, (o) => client.apps.readNamespacedDaemonSet(args, o));
}

function statusOf(w: Workload, obj: k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet): RolloutStatus {
  if (w.kind === 'deployment') return deploymentRolloutStatus(obj as k8s.V1Deployment);
  if (w.kind === 'statefulset') return statefulSetRolloutStatus(obj as k8s.V1StatefulSet);
  return daemonSetRolloutStatus(obj as k8s.V1DaemonSet);
}

/** Waits, or rejects with the signal's reason as soon as it is aborted. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** kubectl writes the annotation as RFC 3339 without fractions. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function restart(target: Target, params: ActionParams, io: ActionContext): Promise<string> {
  const { client, target: t } = kube(target);
  const w = workloadOf(params);
  const label = `${w.kind}/${w.name} in ${w.namespace}`;
  const before = await readWorkload(client, t, w);
  if (w.kind === 'deployment' && (before as k8s.V1Deployment).spec?.paused) {
    throw new UserError(`${label} is paused: resume it first (kubectl rollout resume deployment/${w.name} -n ${w.namespace}); a restart would not roll out`);
  }
  const restartedAt = rfc3339(new Date());
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } };
  const patch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
  const req: KubeRequestDescription = { verb: 'patch', resource: `${w.kind}s`, namespace: w.namespace, name: w.name };
  const args = { name: w.name, namespace: w.namespace, body, fieldManager: 'chatops' };
  const kubectl = `${w.kind}/${w.name} -n ${w.namespace}`;
  // Said before each step whose effect outlives the bot, for the thread if the run is cut short.
  await io.note(`the restart patch (restartedAt ${restartedAt}) was being sent; whether it was applied is unknown: compare the kubectl.kubernetes.io/restartedAt annotation (kubectl get ${kubectl} -o yaml)`);
  const started = Date.now();
  if (w.kind === 'deployment') await call(client, t, req, (o) => client.apps.patchNamespacedDeployment(args, o), patch);
  else if (w.kind === 'statefulset') await call(client, t, req, (o) => client.apps.patchNamespacedStatefulSet(args, o), patch);
  else await call(client, t, req, (o) => client.apps.patchNamespacedDaemonSet(args, o), patch);
  await io.note(`the patch was applied (restartedAt ${restartedAt}); the rollout was not watched to the end: check it with kubectl rollout status ${kubectl}`);
  return await watchRollout(client, t, w, before, started, io, { doing: 'restarting', done: 'restarted' });
}

/**
 * Follows a rollout the action started until it completes, stalls or passes its deadline, showing
 * where it stands on the message: "restarting deployment/api in prod: 2/3 new pods ready (8 s)".
 */
async function watchRollout(client: KubeClient, t: KubeTarget, w: Workload, before: k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet, started: number, io: ActionContext, words: { doing: string; done: string }): Promise<string> {
  const label = `${w.kind}/${w.name} in ${w.namespace}`;
  const { doing, done } = words;
  const deadlineS = (w.kind === 'deployment' ? (before as k8s.V1Deployment).spec?.progressDeadlineSeconds : undefined) ?? DEFAULT_DEADLINE_S;
  await io.progress(`${doing} ${label}: patched, waiting for the rollout`);
  let shown = '';
  for (;;) {
    // The bot stopping (or losing its claim) ends the watch, not the rollout: the runner says so.
    await abortableSleep(t.rolloutPollMs, io.signal);
    const elapsedS = (Date.now() - started) / 1000;
    let status: RolloutStatus;
    try {
      status = statusOf(w, await readWorkload(client, t, w));
    } catch (error) {
      // A blip while watching does not undo the restart; keep watching until the deadline.
      status = { state: 'progressing', text: `could not read the rollout (${error instanceof Error ? error.message : String(error)})` };
    }
    if (status.state === 'complete') return `${done} ${label}: rollout complete in ${formatDuration(elapsedS)} (${status.text})`;
    if (status.state === 'stalled') throw new UserError(`${done} ${label}, but the rollout stalled after ${formatDuration(elapsedS)}: ${status.text}`);
    if (elapsedS > deadlineS + DEADLINE_GRACE_S) {
      throw new UserError(`${done} ${label}, but the rollout did not finish within its ${formatDuration(deadlineS)} deadline: ${status.text}`);
    }
    const text = `${doing} ${label}: ${status.text} (${formatDuration(elapsedS)})`;
    if (text !== shown) {
      shown = text;
      await io.progress(text);
    }
  }
}

async function scale(target: Target, params: ActionParams, io: ActionContext): Promise<string> {
  const { client, target: t } = kube(target);
  const w = workloadOf(params);
  assertParams(params, { replicas: SCALE_REPLICAS });
  const replicas = Number(params.replicas);
  const req: KubeRequestDescription = { verb: 'patch', resource: `${w.kind}s/scale`, namespace: w.namespace, name: w.name };
  const before = await readWorkload(client, t, w);
  const from = (before.spec as { replicas?: number } | undefined)?.replicas;
  const args = { name: w.name, namespace: w.namespace, body: { spec: { replicas } }, fieldManager: 'chatops' };
  const patch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  await io.note(`the scale request (from ${from ?? '?'} to ${replicas} replicas) was sent; whether it was applied is unknown: check kubectl get ${w.kind}/${w.name} -n ${w.namespace}`);
  if (w.kind === 'deployment') await call(client, t, req, (o) => client.apps.patchNamespacedDeploymentScale(args, o), patch);
  else await call(client, t, req, (o) => client.apps.patchNamespacedStatefulSetScale(args, o), patch);
  return `scaled ${w.kind}/${w.name} in ${w.namespace} from ${from ?? '?'} to ${replicas} replicas`;
}

async function deletePod(target: Target, params: ActionParams, io: ActionContext): Promise<string> {
  // A name such as ".." would turn the request path into another resource: refuse before any request.
  assertParams(params, { namespace: K8S_NAMESPACE, pod: K8S_NAME });
  const { client, target: t } = kube(target);
  const namespace = String(params.namespace);
  const name = String(params.pod);
  await io.note(`the delete request for pod ${name} was sent; whether it was applied is unknown: check kubectl get pod ${name} -n ${namespace}`);
  try {
    await client.core.deleteNamespacedPod({ name, namespace }, client.options(new AbortController().signal, t.timeoutMs));
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return `pod ${name} in ${namespace} is already gone`;
    throw new UserError(problemWords(describeKubeError(error, { verb: 'delete', resource: 'pods', namespace, name }, t.timeoutMs, client.server)), { cause: error });
  }
  return `deleted pod ${name} in ${namespace}; its controller creates a replacement`;
}

async function logs(target: Target, params: ActionParams, io: ActionIo): Promise<string> {
  assertParams(params, { namespace: K8S_NAMESPACE, pod: K8S_NAME, container: K8S_CONTAINER });
  const { client, target: t } = kube(target);
  const namespace = String(params.namespace);
  const pod = String(params.pod);
  const container = String(params.container);
  const wantPrevious = params.previous === 'yes';
  const read = (previous: boolean) =>
    call(client, t, { verb: 'get', resource: 'pods/log', namespace, name: pod }, (o) =>
      client.core.readNamespacedPodLog({ name: pod, namespace, container, tailLines: LOG_LINES, previous }, o));
  let text: string;
  let previous = wantPrevious;
  let note = '';
  try {
    text = await read(previous);
  } catch (error) {
    // A container that never restarted has no previous instance: its current logs still help.
    if (!previous || !/previous terminated container/i.test(String((error as Error).message))) throw error;
    previous = false;
    note = ' (no previous instance; current logs)';
    text = await read(false);
  }
  const lines = redactSecrets(text).split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-LOG_LINES);
  const errors = lines.filter((l) => ERROR_LINE.test(l)).length;
  // Error lines are marked so they stand out in a plain-text snippet.
  const content = lines.map((l) => (ERROR_LINE.test(l) ? `>> ${l}` : `   ${l}`)).join('\n');
  const which = previous ? 'previous instance' : 'current instance';
  await io.attachText({
    filename: `${pod}-${container}${previous ? '-previous' : ''}.log`,
    title: `${pod}/${container} (${which}): last ${lines.length} lines`,
    content: content || '(no log lines)',
  });
  return `posted the last ${lines.length} log lines of ${pod}/${container} in ${namespace}, ${which}${note}; ${errors} error lines marked >>`;
}

/** Deployment annotations a rollback keeps from the deployment, never copies from the ReplicaSet (kubectl's list). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);
const REVISION = 'deployment.kubernetes.io/revision';
/** Pages of ReplicaSets a rollback reads before it gives up (500 each): a deployment keeps 10 by default. */
const MAX_REPLICASET_PAGES = 20;
const HASH_LABEL = 'pod-template-hash';

/** A pod template without the ReplicaSet's pod-template-hash label, as kubectl restores it. */
function withoutHash(template: k8s.V1PodTemplateSpec | undefined): k8s.V1PodTemplateSpec {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    const { [HASH_LABEL]: _hash, ...labels } = copy.metadata.labels;
    copy.metadata.labels = labels;
  }
  return copy;
}

/** JSON with object keys sorted: equal templates give equal text whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, val: unknown) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val));
}

/**
 * What `kubectl rollout undo --to-revision` does: the Deployment's pod template replaced with the
 * target ReplicaSet's (minus its pod-template-hash label) and the ReplicaSet's annotations copied
 * onto the Deployment except the revision bookkeeping, in one JSON patch; then the rollout
 * watched like a restart's. The target revision must still exist and still be the one before the
 * current: a button from before another rollout is refused.
 */
async function rollback(target: Target, params: ActionParams, io: ActionContext): Promise<string> {
  assertParams(params, { namespace: K8S_NAMESPACE, workload: K8S_ROLLBACK_KIND, name: K8S_NAME, revision: K8S_REVISION });
  const { client, target: t } = kube(target);
  const w: Workload = { namespace: String(params.namespace), kind: 'deployment', name: String(params.name) };
  const revision = Number(params.revision);
  const label = `deployment/${w.name} in ${w.namespace}`;
  const kubectl = `deployment/${w.name} -n ${w.namespace}`;
  const before = (await readWorkload(client, t, w)) as k8s.V1Deployment;
  if (before.spec?.paused) {
    throw new UserError(`${label} is paused: resume it first (kubectl rollout resume ${kubectl}); a rollback would not roll out`);
  }
  const selector = Object.entries(before.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const uid = before.metadata?.uid;
  const owned: k8s.V1ReplicaSet[] = [];
  let cont: string | undefined;
  let pages = 0;
  do {
    if (++pages > MAX_REPLICASET_PAGES) {
      throw new UserError(`${label} has more than ${MAX_REPLICASET_PAGES * 500} ReplicaSets matching its selector: nothing was changed; roll back by hand (kubectl rollout undo ${kubectl} --to-revision=${revision})`);
    }
    const page = await call(client, t, { verb: 'list', resource: 'replicasets', group: 'apps', namespace: w.namespace }, (o) =>
      client.apps.listNamespacedReplicaSet({ namespace: w.namespace, limit: 500, ...(selector && { labelSelector: selector }), ...(cont && { _continue: cont }) }, o));
    // Only this deployment's own ReplicaSets (by uid, and by name), never another's matching the selector.
    owned.push(...page.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.controller && o.kind === 'Deployment' && o.name === w.name && (uid === undefined || o.uid === uid))));
    cont = page.metadata?._continue || undefined;
  } while (cont);
  const revisionOf = (rs: k8s.V1ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION]);
  const current = Number(before.metadata?.annotations?.[REVISION]);
  const kept = owned.map(revisionOf).filter((r) => Number.isInteger(r)).sort((a, b) => a - b);
  const wanted = owned.find((rs) => revisionOf(rs) === revision);
  if (!wanted) {
    throw new UserError(`revision ${revision} of ${label} no longer exists (revisions kept: ${kept.join(', ') || 'none'}): this button is older than the deployment's history; run the diagnosis again, or kubectl rollout history ${kubectl}`);
  }
  const previous = kept.filter((r) => r < current).at(-1);
  if (previous !== revision) {
    throw new UserError(`revision ${revision} is no longer the one before the current revision ${current} of ${label}${previous !== undefined ? ` (that is now ${previous})` : ''}: it rolled out again since this button was posted; run the diagnosis again`);
  }
  const images = (tpl: k8s.V1PodTemplateSpec | undefined) => (tpl?.spec?.containers ?? []).map((c) => c.image ?? '?').join(', ');
  const from = images(before.spec?.template);
  const to = images(wanted.spec?.template);
  const template = withoutHash(wanted.spec?.template);
  if (canonical(template) === canonical(withoutHash(before.spec?.template))) {
    return `skipped the rollback of ${label}: its template already matches revision ${revision} (${to})`;
  }
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(before.metadata?.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(wanted.metadata?.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  // The patch applies only to the deployment as checked: a rollout, edit or scale since then
  // (a new metadata.generation) fails it and nothing changes.
  const generation = before.metadata?.generation;
  const body = [
    ...(generation !== undefined ? [{ op: 'test', path: '/metadata/generation', value: generation }] : []),
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
  const req: KubeRequestDescription = { verb: 'patch', resource: 'deployments', group: 'apps', namespace: w.namespace, name: w.name };
  await io.note(`the rollback patch of ${label} to revision ${revision} (${from} → ${to}) was being sent; whether it was applied is unknown: compare the images (kubectl get ${kubectl} -o wide) and kubectl rollout history ${kubectl}`);
  const started = Date.now();
  try {
    await call(client, t, req, (o) => client.apps.patchNamespacedDeployment({ name: w.name, namespace: w.namespace, body, fieldManager: 'chatops' }, o),
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
  } catch (error) {
    const cause = error instanceof UserError ? error.cause : undefined;
    if (cause instanceof k8s.ApiException && (cause.code === 409 || cause.code === 422) && /generation/.test(String(cause.body))) {
      throw new UserError(`${label} changed while the rollback was being prepared (another rollout, edit or scale): nothing was changed; run the diagnosis again, or kubectl rollout history ${kubectl}`, { cause: error });
    }
    throw error;
  }
  await io.note(`the rollback patch was applied (${label} to revision ${revision}, ${from} → ${to}); the rollout was not watched to the end: check it with kubectl rollout status ${kubectl}`);
  return await watchRollout(client, t, w, before, started, io, { doing: `rolling back (${from} → ${to})`, done: `rolled back (${from} → ${to}, revision ${revision})` });
}

const executors = {
  'k8s.restart': { run: restart },
  'k8s.rollback': { run: rollback },
  'k8s.scale': { run: scale },
  'k8s.delete_pod': { run: deletePod },
  'k8s.logs': { run: logs },
} satisfies Record<string, ActionExecutor>;

/**
 * The executors of the k8s actions, by action id; the kind's actions load this module (and the
 * Kubernetes client) on their first press. What a target allows is the actions' `refuse`, in
 * kubernetes-kind.ts, asked before.
 */
export const KUBERNETES_EXECUTORS: typeof executors & Readonly<Record<string, ActionExecutor>> = executors;
