// Logs as evidence in the normal `/diag k8s`: a crashloop, OOM-kill or readiness finding (or the
// root cause that took one in) gets the top error patterns of its workload's containers at fault
// as lines of its detail ("logs, 15 min: 42× ERROR db timeout after 30s (last 02:17:05)"). Small
// and bounded: at most 3 workloads per run, 3 pods each, the containers the finding is about (the
// previous instance of one that restarted), 256 KiB per container and 2 MiB in all. Logs that
// cannot be read in time are simply not quoted (the finding says what it said before).
import type { Finding } from '../../../report.ts';
import type { ClusterSnapshot, ContainerRecord } from '../cluster-snapshot.ts';
import type { KubeClient } from '../kube-client.ts';
import { workloadKey, type WorkloadRef } from '../workload-of.ts';
import { storyOf, tagWorkload } from '../workload-story.ts';
import { LogPatternGroups, type LogPattern } from './log-patterns.ts';
import { readPodLogs, type LogBounds, type PodSources } from './read-pod-logs.ts';
import type { LogLineSource } from './log-patterns.ts';

/** The checks whose findings get their workload's error patterns. */
const ATTACH_CHECKS: ReadonlySet<string> = new Set(['k8s.crashloop', 'k8s.oomkilled', 'k8s.readiness']);
export const ATTACH_MAX_WORKLOADS = 3;
const ATTACH_MAX_PODS = 3;
/** Patterns quoted per finding. */
export const ATTACH_TOP = 3;
export const ATTACH_SINCE_S = 15 * 60;
const ATTACH_BOUNDS: LogBounds = { perContainerBytes: 256 * 1024, totalBytes: 2 * 1024 * 1024, concurrency: 5 };
/** A quoted example is cut here. */
const QUOTE_CHARS = 110;
const MIN_REQUEST_MS = 100;

export interface AttachOptions {
  signal: AbortSignal;
  /** Time for all the reads together. */
  timeoutMs: number;
  secrets: readonly string[];
}

/** A crashloop, OOM or readiness finding that is not ok (or a root cause that took one in). */
function attachable(f: Finding): boolean {
  return (f.status === 'crit' || f.status === 'warn') && (ATTACH_CHECKS.has(f.check) || (f.merged?.some((c) => ATTACH_CHECKS.has(c)) ?? false));
}

/**
 * The top error patterns of the first ATTACH_MAX_WORKLOADS workloads these findings are about
 * (by workloadKey), read from their containers at fault; a workload whose logs have no error line
 * or could not be read in time has none.
 */
export async function workloadLogPatterns(findings: readonly Finding[], client: KubeClient, snapshot: Pick<ClusterSnapshot, 'containers'>, options: AttachOptions): Promise<Map<string, LogPattern[]>> {
  const chosen = new Map<string, WorkloadRef>();
  for (const f of findings) {
    const ref = attachable(f) ? storyOf(f)?.ref : undefined;
    if (ref && chosen.size < ATTACH_MAX_WORKLOADS) chosen.set(workloadKey(ref), ref);
  }
  const patterns = new Map<string, LogPattern[]>();
  if (chosen.size === 0 || options.timeoutMs < MIN_REQUEST_MS) return patterns;
  const deadline = Date.now() + options.timeoutMs;
  await Promise.all([...chosen].map(async ([key, ref]) => {
    const pods = atFault(snapshot.containers, ref);
    if (pods.length === 0) return;
    const read = await readPodLogs(client, pods, {
      sinceSeconds: ATTACH_SINCE_S,
      bounds: { ...ATTACH_BOUNDS, totalBytes: Math.floor(ATTACH_BOUNDS.totalBytes / chosen.size) },
      timeoutMs: options.timeoutMs,
      request: () => {
        const left = deadline - Date.now();
        return left < MIN_REQUEST_MS || options.signal.aborted ? undefined : client.options(options.signal, left);
      },
    });
    const groups = new LogPatternGroups(options.secrets);
    for (const log of read.logs) groups.add(log.text, log);
    const top = groups.patterns().slice(0, ATTACH_TOP);
    if (top.length > 0) patterns.set(key, top);
  }));
  return patterns;
}

/** The findings, those about a workload with patterns with them as lines of their detail (still tagged with their story). */
export function attachLogPatterns(findings: readonly Finding[], patterns: ReadonlyMap<string, LogPattern[]>): Finding[] {
  if (patterns.size === 0) return [...findings];
  return findings.map((f) => {
    const story = storyOf(f);
    const top = story && attachable(f) ? patterns.get(workloadKey(story.ref)) : undefined;
    if (!top) return f;
    const lines = top.map((p) => logPatternLine('logs', p));
    return tagWorkload({ ...f, detail: [f.detail, ...lines].filter(Boolean).join('\n') }, story!);
  });
}

/** The containers of the workload a finding is about: crashlooping, OOM-killed, restarted or not ready; at most ATTACH_MAX_PODS pods. */
function atFault(containers: readonly ContainerRecord[], ref: WorkloadRef): PodSources[] {
  const key = workloadKey(ref);
  const byPod = new Map<string, { namespace: string; sources: LogLineSource[] }>();
  for (const c of containers) {
    if (workloadKey(c.pod.workload) !== key) continue;
    const restarted = c.restartCount > 0 || c.lastTerminated !== undefined;
    if (!restarted && c.ready) continue;
    const pod = byPod.get(c.pod.name) ?? (byPod.size < ATTACH_MAX_PODS ? { namespace: c.pod.namespace, sources: [] } : undefined);
    if (!pod) continue;
    if (restarted) pod.sources.push({ pod: c.pod.name, container: c.name, previous: true });
    if (c.running) pod.sources.push({ pod: c.pod.name, container: c.name, previous: false });
    byPod.set(c.pod.name, pod);
  }
  return [...byPod.values()].filter((p) => p.sources.length > 0);
}

/** `logs, 15 min: 42× ERROR db timeout after 30s (last 02:17:05)`, after `lead`. */
export function logPatternLine(lead: string, p: LogPattern): string {
  return `${lead}, ${ATTACH_SINCE_S / 60} min: ${p.count}× ${quote(p.example)}${p.lastSeen !== undefined ? ` (last ${new Date(p.lastSeen).toISOString().slice(11, 19)})` : ''}`;
}

function quote(text: string): string {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS - 1)}…` : text;
}
