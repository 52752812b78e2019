// `/diag logs [target] <workload|pod> [since]`: the error lines in the logs of a workload's pods
// (every container, previous instances included) within a window, grouped by pattern, as a k8s
// Report of k8s.log_patterns findings, most frequent first. Patterns are evidence, asked for: each
// is a warning, so that it is shown (a report folds its ok findings into one line of check names),
// fatal/panic/critical ones marked so; logs alone never make a report crit, since a line says what
// a process wrote, not what hurts now. What a bound left unread makes the summary unknown (the
// counts cover only what was read), and a log that could not be read is unknown. Every line is
// masked (configured secrets and the generic patterns) before it is grouped.
import { buildReport, type Finding, type Report, type Status } from '../../../report.ts';
import { scrubFindings, sortedSecrets } from '../../scrub-findings.ts';
import { finding as kubeFinding } from '../check-context.ts';
import { createKubeClient, KubeConfigProblem, loadKubeConfig, type KubeClient } from '../kube-client.ts';
import type { KubeTarget } from '../kube-target.ts';
import { describeKubeError, problemWords } from '../describe-kube-error.ts';
import { kubernetesKind } from '../kubernetes-kind.ts';
import { LogPatternGroups, MAX_PATTERNS, type LogPattern } from './log-patterns.ts';
import { sinceWords } from './parse-since.ts';
import { DEFAULT_LOG_BOUNDS, podSources, readPodLogs, type LogBounds } from './read-pod-logs.ts';
import { resolveLogSubject, type LogSubject, type SubjectWords } from './resolve-log-subject.ts';
import { UserError } from '../../../user-error.ts';

export const LOG_PATTERNS_CHECK = 'k8s.log_patterns';
/** Patterns with a finding each; the rest are counted in one more. */
export const MAX_PATTERN_FINDINGS = 10;
/** Pods of a workload read at most. */
export const MAX_LOG_PODS = 50;
/** Below this much time left, no request is started. */
const MIN_REQUEST_MS = 100;
const MIB = 1024 * 1024;

export interface DiagLogsOptions {
  sinceSeconds: number;
  /** Every configured secret; the target's own are added. */
  secrets: readonly string[];
  runbookForCheck?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  bounds?: LogBounds;
  maxPods?: number;
}

/** The report of the logs of `words` on `target`; a name not found is a UserError. */
export async function diagLogs(target: KubeTarget, words: SubjectWords, options: DiagLogsOptions): Promise<Report> {
  const startedAt = new Date();
  const secrets = sortedSecrets([...options.secrets, ...kubernetesKind.secrets(target)]);
  const endpoint = kubernetesKind.describeEndpoint?.(target);
  const findings = await logFindings(target, words, { ...options, secrets });
  const linked = scrubFindings(findings, secrets).map((f) => (options.runbookForCheck?.has(f.check) ? { ...f, runbook: options.runbookForCheck.get(f.check)! } : f));
  return buildReport(target.name, 'k8s', startedAt, linked, endpoint);
}

function finding(status: Status, title: string, extra: Omit<Finding, 'check' | 'status' | 'title'> = {}): Finding {
  return { check: LOG_PATTERNS_CHECK, status, title, ...extra };
}

async function logFindings(target: KubeTarget, words: SubjectWords, options: DiagLogsOptions): Promise<Finding[]> {
  let client: KubeClient;
  try {
    client = createKubeClient(loadKubeConfig(target));
  } catch (e) {
    if (e instanceof KubeConfigProblem) return [kubeFinding('api', 'unknown', `Bot configuration: ${e.message}`, { config: true, fix: e.fix })];
    return [finding('unknown', `Cannot load the cluster credentials: ${e instanceof Error ? e.message : String(e)}`, { fix: 'set kubeconfig (and context) or inCluster: true for this target; kubectl config get-contexts lists the contexts' })];
  }
  const signal = options.signal ?? new AbortController().signal;
  // Finding the pods and reading them share twice the target's timeout, each call at most one.
  const deadline = Date.now() + 2 * target.timeoutMs;
  const request = () => {
    const left = Math.min(target.timeoutMs, deadline - Date.now());
    return left < MIN_REQUEST_MS || signal.aborted ? undefined : client.options(signal, left);
  };
  const maxPods = options.maxPods ?? MAX_LOG_PODS;
  let subject: LogSubject;
  try {
    subject = await resolveLogSubject(client, target, words, { request: () => request() ?? client.options(signal, MIN_REQUEST_MS), maxPods });
  } catch (e) {
    if (e instanceof UserError) throw e;
    const problem = describeKubeError(e, { verb: 'list', resource: words.kind === 'pod' ? 'pods' : 'deployments', ...(words.namespace !== undefined && { namespace: words.namespace }) }, target.timeoutMs, client.server);
    return [finding('unknown', `Cannot look up ${words.name}: ${problem.text}`, { fix: problem.fix ?? 'check that the bot can list pods and workloads in the namespace (kubectl auth can-i list pods --as <the bot\'s user>)' })];
  }
  const what = `${subject.kind} ${subject.namespace}/${subject.name}`;
  const window = `the last ${sinceWords(options.sinceSeconds)}`;
  if (subject.pods.length === 0) {
    return [finding('ok', `No pods of ${what} to read the logs of`, { detail: `Its selector matches no pod in ${subject.namespace}.`, metrics: { pods: 0, lines: 0 } })];
  }
  const sources = podSources(subject.pods);
  if (sources.every((p) => p.sources.length === 0)) {
    return [finding('unknown', `No container of ${what} has run yet: no log to read`, {
      detail: `${subject.pods.length} ${subject.pods.length === 1 ? 'pod' : 'pods'}, every container waiting to start`,
      fix: `kubectl describe pod -n ${subject.namespace} <pod> says what the containers wait for (an image pull, a volume, the scheduler); /diag k8s names it`,
    })];
  }
  const bounds = options.bounds ?? DEFAULT_LOG_BOUNDS;
  const read = await readPodLogs(client, sources, { sinceSeconds: options.sinceSeconds, bounds, request, timeoutMs: target.timeoutMs });
  const groups = new LogPatternGroups(options.secrets);
  for (const log of read.logs) groups.add(log.text, log);
  const patterns = groups.patterns();

  const pods = new Set(read.logs.map((l) => l.pod)).size;
  const containers = new Set(read.logs.map((l) => `${l.pod}/${l.container}`)).size;
  const previous = read.logs.filter((l) => l.previous).length;
  const cut = read.logs.filter((l) => l.cut && !l.oldest);
  const oldest = read.logs.filter((l) => l.oldest);
  const readWords = `${groups.lines} ${groups.lines === 1 ? 'line' : 'lines'} of ${pods} ${pods === 1 ? 'pod' : 'pods'} (${containers} ${containers === 1 ? 'container' : 'containers'}${previous > 0 ? `, ${previous} previous ${previous === 1 ? 'instance' : 'instances'}` : ''})`;
  const bounded = [
    subject.total > subject.pods.length ? `read ${subject.pods.length} of ${subject.total} pods (the newest; at most ${maxPods})` : undefined,
    cut.length > 0 ? `read the last ${mib(bounds.perContainerBytes)} of ${cut.length} ${cut.length === 1 ? 'container' : 'containers'} (${cut.slice(0, 3).map((l) => `${l.pod}/${l.container}${l.previous ? ' previous' : ''}`).join(', ')}${cut.length > 3 ? ', …' : ''}): their earlier lines in the window are not counted` : undefined,
    oldest.length > 0 ? `read only the first ${mib(bounds.perContainerBytes)} of ${oldest.length} ${oldest.length === 1 ? 'container' : 'containers'} (${oldest.slice(0, 3).map((l) => `${l.pod}/${l.container}${l.previous ? ' previous' : ''}`).join(', ')}${oldest.length > 3 ? ', …' : ''}): the total left no room for their most recent lines` : undefined,
    read.skippedForTotal > 0 ? `${read.skippedForTotal} ${read.skippedForTotal === 1 ? 'container was' : 'containers were'} not read: ${mib(bounds.totalBytes)} read in all` : undefined,
  ].filter((x): x is string => x !== undefined);

  const out: Finding[] = [];
  if (read.failed.length > 0) {
    const first = read.failed[0]!;
    const forbidden = read.failed.some((f) => f.problem.kind === 'forbidden');
    out.push(finding('unknown', `${read.failed.length} ${read.failed.length === 1 ? 'log' : 'logs'} of ${what} could not be read: ${first.problem.text}`, {
      detail: read.failed.slice(0, 5).map((f) => `${f.source.pod}/${f.source.container}${f.source.previous ? ' (previous)' : ''}: ${problemWords(f.problem)}`).join('\n'),
      fix: forbidden ? 'grant the bot get on pods/log in the namespace (a Role rule: resources ["pods/log"], verbs ["get"]) and run /diag logs again' : first.problem.fix ?? 'run /diag logs again; kubectl logs shows whether the API server answers for these pods',
    }));
    if (read.logs.length === 0) return out;
  }
  const summary = `Read ${readWords} of ${what} over ${window}`;
  // A bound that cut the read, or a log that could not be read, leaves lines of the window
  // uncounted: the summary cannot say all.
  const readStatus: Status = bounded.length > 0 || read.failed.length > 0 ? 'unknown' : 'ok';
  const boundsFix = 'the counts cover what was read; for the rest, name one pod (pod/<name>) or a shorter window (e.g. 5m), or read it with kubectl logs --since';
  if (patterns.length === 0) {
    // No line read at all is not "no error lines": the containers wrote nothing in the window.
    const none = groups.lines === 0 ? 'No log lines in the window' : 'No error lines';
    out.push(finding(readStatus, `${none}: ${summary.charAt(0).toLowerCase()}${summary.slice(1)}`, { metrics: { lines: groups.lines, pods, containers, count: 0 }, ...(bounded.length > 0 && { detail: bounded.join('\n'), fix: boundsFix }) }));
    return out;
  }
  for (const p of patterns.slice(0, MAX_PATTERN_FINDINGS)) out.push(patternFinding(p, subject, options.sinceSeconds));
  const rest = patterns.slice(MAX_PATTERN_FINDINGS);
  if (rest.length > 0) {
    const lines = rest.reduce((n, p) => n + p.count, 0) + groups.unpatterned;
    const beyond = groups.unpatterned > 0 ? [`… and ${groups.unpatterned} error lines of further patterns (only ${MAX_PATTERNS} patterns are told apart)`] : [];
    out.push(finding('warn', `${rest.length}${groups.unpatterned > 0 ? '+' : ''} more patterns (${lines} error ${lines === 1 ? 'line' : 'lines'})`, { detail: [...rest.slice(0, 5).map((p) => `${p.count}× ${p.pattern.slice(0, 140)}`), ...beyond].join('\n'), metrics: { count: lines, patterns: rest.length } }));
  }
  out.push(finding(readStatus, `${summary}: ${groups.errorLines} error ${groups.errorLines === 1 ? 'line' : 'lines'} in ${patterns.length} ${patterns.length === 1 ? 'pattern' : 'patterns'}`, {
    metrics: { lines: groups.lines, errorLines: groups.errorLines, patterns: patterns.length, pods, containers },
    ...(bounded.length > 0 && { detail: bounded.join('\n'), fix: boundsFix }),
  }));
  return out;
}

function patternFinding(p: LogPattern, subject: LogSubject, sinceSeconds: number): Finding {
  const fatal = p.severity === 'fatal';
  const seen = p.firstSeen !== undefined && p.lastSeen !== undefined ? `first seen ${clock(p.firstSeen)}, last seen ${clock(p.lastSeen)}` : 'times unknown';
  const where = p.pods.size === 1 ? `pod ${[...p.pods][0]}` : `${p.pods.size} pods`;
  const title = `${p.count}× ${fatal ? '(fatal) ' : ''}${short(p.example, 110)}`;
  return finding('warn', title, {
    detail: [`${seen} (UTC), in ${where}, ${p.containers.size} ${p.containers.size === 1 ? 'container' : 'containers'}`, `pattern: ${short(p.pattern, 150)}`, `example: ${p.example}`].join('\n'),
    metrics: { count: p.count, pods: p.pods.size },
    fix: fatal
      ? `the process of ${subject.kind} ${subject.name} reports fatal errors: read the example and its stack trace, then the runbook; kubectl logs -n ${subject.namespace} <pod> --previous shows the instance that died`
      : `find what the example names (a dependency, a config value, a bad input) and fix it there; kubectl logs -n ${subject.namespace} <pod> --since=${Math.ceil(sinceSeconds / 60)}m shows the lines around it`,
  });
}

function short(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** 02:17:05 on today's date, else 2026-12-01 23:59:58. */
function clock(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === new Date().toISOString().slice(0, 10) ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function mib(bytes: number): string {
  return bytes >= MIB ? `${Math.round((bytes / MIB) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
