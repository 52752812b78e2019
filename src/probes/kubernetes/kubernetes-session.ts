// A run of the k8s kind: the client from the target's credentials, every list read a page at a
// time into a snapshot (collect-cluster.ts), the api check judged from it, and the restart counts
// of the previous run to compare with; this run's are stored when the pods could be listed. At the
// end, the findings of one troubled workload are merged into one root cause (merge-root-causes.ts),
// quoting the last log line of the container that crashed, and a crashloop, OOM or readiness
// finding quotes its workload's top error patterns (logs/attach-log-patterns.ts); a finding about a
// Deployment rolled out within a day then carries the deploy's evidence and, where allowed, a Roll
// back button.
import type { KindRuntime } from '../probe-definition.ts';
import type { Remembered } from '../probe-state.ts';
import { untilDeadline } from '../until-deadline.ts';
import { finding, type KubeCheckContext } from './check-context.ts';
import { collectCluster } from './collect-cluster.ts';
import { problemWords } from './describe-kube-error.ts';
import { createKubeClient, KubeConfigProblem, loadKubeConfig, type KubeClient } from './kube-client.ts';
import type { KubeTarget } from './kube-target.ts';
import { lastLogLines } from './last-log-lines.ts';
import { mergeRootCauses, rootCauseGroups } from './merge-root-causes.ts';
import { withDeployEvidence } from './deploy-evidence.ts';
import { attachLogPatterns, workloadLogPatterns } from './logs/attach-log-patterns.ts';
import { checkApi } from './checks/api.ts';
import { RESTARTS_STATE_KEY } from './checks/restarts.ts';

/** Failures after which nothing else can be learned from the cluster. */
const FATAL = new Set(['unauthorized', 'unreachable', 'unresolved', 'timeout', 'tls']);
/**
 * The last log lines of root causes are read until this many timeouts after the session opened
 * (never longer than one timeout), so a run stays well within the overall limit of two; with less
 * than LOG_LINES_MIN_MS left they are not read.
 */
const LOG_LINES_UNTIL = 1.5;
const LOG_LINES_MIN_MS = 100;

export const kubernetesSession: KindRuntime<KubeTarget, KubeCheckContext> = {
  async open(target, run) {
    const { timeoutMs, signal, state } = run;
    const openedAt = Date.now();
    let client: KubeClient;
    try {
      client = createKubeClient(loadKubeConfig(target));
    } catch (e) {
      if (e instanceof KubeConfigProblem) return { stop: [finding('api', 'unknown', `Bot configuration: ${e.message}`, { config: true, fix: e.fix })] };
      return {
        stop: [finding('api', 'crit', `Cannot load the cluster credentials: ${e instanceof Error ? e.message : String(e)}`, {
          fix: 'set kubeconfig (and context) or inCluster: true for this target; kubectl config get-contexts lists the contexts',
        })],
      };
    }
    const stateKey = `${RESTARTS_STATE_KEY}:${target.namespaces === 'all' ? '*' : [...target.namespaces].sort().join(',')}`;
    const previous = untilDeadline(state.get<Record<string, number>>(stateKey).catch(() => undefined), timeoutMs, signal);
    const now = Date.now();
    const snapshot = await collectCluster(client, target, { signal, timeoutMs, now, namespaces: target.namespaces });
    const api = checkApi({ snapshot, target });
    const podsFailed = snapshot.failed.find((f) => f.resource === 'pods');
    if (podsFailed && FATAL.has(podsFailed.problem.kind)) return { stop: api };
    const remembered = (await previous) as Remembered<Record<string, number>> | undefined;
    return {
      lead: api,
      ctx: { snapshot, target, now, secrets: run.secrets, ...(remembered && { previousRestarts: remembered }) },
      describeError: (e) => (e instanceof Error ? e.message : String(e)),
      // A refused list also says which RBAC rule to add.
      missing: (resource) => {
        const problem = snapshot.failed.find((f) => f.resource === resource)?.problem;
        return problem && (problem.kind === 'forbidden' ? problemWords(problem) : problem.text);
      },
      async finish(findings) {
        const saved = !podsFailed && !signal.aborted
          ? untilDeadline(state.set(stateKey, Object.fromEntries(snapshot.restartCounts)).catch(() => undefined), 1_000, signal)
          : undefined;
        const groups = rootCauseGroups(findings);
        const culprits = groups.flatMap((g) => (g.causes[0]!.story.culprit ? [g.causes[0]!.story.culprit] : []));
        const logMs = Math.min(timeoutMs, openedAt + LOG_LINES_UNTIL * timeoutMs - Date.now());
        const canRead = !signal.aborted && logMs >= LOG_LINES_MIN_MS;
        // The culprits' last lines and the troubled workloads' error patterns, read side by side.
        const [lines, patterns] = await Promise.all([
          culprits.length > 0 && canRead ? lastLogLines(client, culprits, { signal, timeoutMs: logMs, secrets: run.secrets }) : undefined,
          canRead ? workloadLogPatterns(findings, client, snapshot, { signal, timeoutMs: logMs, secrets: run.secrets }) : undefined,
        ]);
        await saved;
        const merged = attachLogPatterns(mergeRootCauses(findings, groups, lines), patterns ?? new Map());
        return withDeployEvidence(merged, { snapshot, target, now, secrets: run.secrets });
      },
    };
  },
};
