// The logs behind a 5xx: an http target that names the workload serving it (`workload:`) gets,
// on a critical 5xx status finding, the top error patterns of that workload's newest pods over
// the last 15 minutes as lines of the finding's detail, read through the k8s target it names; a
// PromQL query with `workload:` (an error ratio) the same on its finding past the threshold.
// Small and bounded like the patterns /diag k8s attaches (3 pods, 256 KiB per container, 1 MiB
// in all, the time the run has left); what cannot be read is said in one line, never guessed.
import type { Target } from '../../../config/config.ts';
import type { Finding } from '../../../report.ts';
import type { EvidenceContext } from '../../probe-definition.ts';
import { describeKubeError } from '../describe-kube-error.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../kube-client.ts';
import type { KubeTarget } from '../kube-target.ts';
import { ATTACH_SINCE_S, ATTACH_TOP, logPatternLine } from './attach-log-patterns.ts';
import { LogPatternGroups } from './log-patterns.ts';
import { podSources, readPodLogs, type LogBounds } from './read-pod-logs.ts';
import { parseSubject, resolveLogSubject } from './resolve-log-subject.ts';
import { isUserError } from '../../../user-error.ts';
import type { WorkloadRefWords } from './workload-ref.ts';

const MAX_PODS = 3;
/** Workloads read per run. */
const MAX_WORKLOADS = 3;
const BOUNDS: LogBounds = { perContainerBytes: 256 * 1024, totalBytes: 1024 * 1024, concurrency: 3 };
const MIN_REQUEST_MS = 100;



/** The k8s target `ref` names, or why there is none. */
export function workloadTarget(ref: WorkloadRefWords, targets: readonly Target[]): KubeTarget | string {
  const kube = targets.filter((t) => t.kind === 'k8s');
  if (ref.target !== undefined) {
    const named = targets.find((t) => t.name === ref.target);
    if (named?.kind === 'k8s') return named as unknown as KubeTarget;
    return `${named ? `${ref.target} is a ${named.kind} target, not k8s` : `no target named ${ref.target}`}; k8s targets: ${kube.map((t) => t.name).join(', ') || 'none'}`;
  }
  if (kube.length === 1) return kube[0] as unknown as KubeTarget;
  return kube.length === 0 ? 'no k8s target is configured' : `several k8s targets (${kube.map((t) => t.name).join(', ')}): name one as workload.target`;
}

/**
 * The findings, each one `about` names a workload for with that workload's top error patterns (or
 * why they could not be read) in its detail; at most MAX_WORKLOADS workloads are read, each once.
 */
export async function withWorkloadLogs(findings: readonly Finding[], context: EvidenceContext, about: (f: Finding) => WorkloadRefWords | undefined): Promise<Finding[]> {
  const refs = new Map<string, WorkloadRefWords>();
  for (const f of findings) {
    const ref = about(f);
    if (ref && refs.size < MAX_WORKLOADS) refs.set(refKey(ref), ref);
  }
  if (refs.size === 0) return [...findings];
  const lines = new Map(await Promise.all([...refs].map(async ([key, ref]) => [key, await patternLines(ref, context)] as const)));
  return findings.map((f) => {
    const ref = about(f);
    const more = ref ? lines.get(refKey(ref)) : undefined;
    return more && more.length > 0 ? { ...f, detail: [f.detail, ...more].filter(Boolean).join('\n') } : f;
  });
}

function refKey(ref: WorkloadRefWords): string {
  return `${ref.target ?? ''} ${ref.name}`;
}

async function patternLines(ref: WorkloadRefWords, context: EvidenceContext): Promise<string[]> {
  const target = workloadTarget(ref, context.targets);
  if (typeof target === 'string') return [`logs of ${ref.name}: not read, ${target}`];
  if (target.configProblem !== undefined) return [`logs of ${ref.name}: not read, the k8s target ${target.name} has a configuration problem`];
  const deadline = Date.now() + Math.min(context.timeoutMs, target.timeoutMs);
  const request = () => {
    const left = deadline - Date.now();
    return left < MIN_REQUEST_MS || context.signal.aborted ? undefined : client.options(context.signal, left);
  };
  let client: KubeClient;
  try {
    client = createKubeClient(loadKubeConfig(target));
  } catch (e) {
    return [`logs of ${ref.name}: not read, cannot load the credentials of ${target.name} (${e instanceof Error ? e.message : String(e)})`];
  }
  const words = parseSubject(ref.name);
  let what = ref.name;
  try {
    const subject = await resolveLogSubject(client, target, words, { request: () => request() ?? client.options(context.signal, MIN_REQUEST_MS), maxPods: MAX_PODS });
    what = `${subject.kind} ${subject.namespace}/${subject.name}`;
    if (subject.pods.length === 0) return [`logs of ${what}: no pod to read`];
    const read = await readPodLogs(client, podSources(subject.pods), { sinceSeconds: ATTACH_SINCE_S, bounds: BOUNDS, request, timeoutMs: deadline - Date.now() });
    const groups = new LogPatternGroups(context.secrets);
    for (const log of read.logs) groups.add(log.text, log);
    const top = groups.patterns().slice(0, ATTACH_TOP);
    if (top.length > 0) return top.map((p) => logPatternLine(`logs of ${what}`, p));
    if (read.logs.length === 0 && read.failed.length > 0) return [`logs of ${what}: not read, ${read.failed[0]!.problem.text}`];
    return [`logs of ${what}, ${ATTACH_SINCE_S / 60} min: no error lines in ${groups.lines} ${groups.lines === 1 ? 'line' : 'lines'} of ${new Set(read.logs.map((l) => l.pod)).size} pods`];
  } catch (e) {
    if (isUserError(e)) return [`logs of ${ref.name}: not read, ${e.message}`];
    const problem = describeKubeError(e, { verb: 'list', resource: words.kind === 'pod' ? 'pods' : 'deployments', ...(words.namespace !== undefined && { namespace: words.namespace }) }, target.timeoutMs, client.server);
    return [`logs of ${what}: not read, ${problem.text}`];
  }
}
