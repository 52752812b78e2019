// One story per workload: a crashloop (or an image that cannot be pulled, an OOM kill, pods
// pending) and the workload's unavailable replicas, its pods not ready and its restarts are one
// problem, reported once. The findings of one workload become one root-cause finding that names
// the workload and the cause, offers the workload's buttons once, and lists what the cause does
// as effects. Workloads are merged apart from each other; bare pods and lone findings stay as
// they are. A pure function of the checks' findings and the stories they were tagged with.
import type { Finding, Remedy, Status } from '../../report.ts';
import type { KubeCheckName } from './check-context.ts';
import { workloadKey, workloadName, type WorkloadRef } from './workload-of.ts';
import { storyOf, tagWorkload, type WorkloadStory } from './workload-story.ts';

/** Checks that name why a workload suffers, the most telling first. */
const CAUSES: readonly KubeCheckName[] = ['crashloop', 'image_pull', 'oomkilled', 'pending'];
/** Symptoms that stand for the cause when no check above names one. */
const FALLBACK_CAUSES: readonly KubeCheckName[] = ['readiness', 'restarts'];
const MERGED: ReadonlySet<string> = new Set<KubeCheckName>([...CAUSES, ...FALLBACK_CAUSES, 'deployments']);
/** Buttons of a root cause in this order: look, roll back, restart, scale, delete a pod. */
const ACTION_ORDER = ['k8s.logs', 'k8s.rollback', 'k8s.restart', 'k8s.scale', 'k8s.delete_pod'];
/** Buttons an effect brings to its root cause: the workload's own, never a pod's logs. */
const WORKLOAD_ACTIONS = new Set(['k8s.restart', 'k8s.scale']);
const RANK: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };

export interface StoryPart {
  finding: Finding;
  story: WorkloadStory;
  check: KubeCheckName;
}

/** The findings of one workload that tell one story: causes first (the first is the title's). */
export interface RootCauseGroup {
  ref: WorkloadRef;
  causes: StoryPart[];
  effects: StoryPart[];
}

type StoryLookup = (finding: Finding) => WorkloadStory | undefined;

/** The workloads whose findings merge: at least one cause and at least two findings. */
export function rootCauseGroups(findings: readonly Finding[], lookup: StoryLookup = storyOf): RootCauseGroup[] {
  const byWorkload = new Map<string, StoryPart[]>();
  for (const finding of findings) {
    const story = lookup(finding);
    const check = finding.check.replace(/^k8s\./, '') as KubeCheckName;
    if (!story || story.ref.kind === 'pod' || finding.status === 'ok' || !MERGED.has(check)) continue;
    const key = workloadKey(story.ref);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), { finding, story, check }]);
  }
  const groups: RootCauseGroup[] = [];
  for (const parts of byWorkload.values()) {
    if (parts.length < 2) continue;
    const rank = (tier: readonly KubeCheckName[]) => (p: StoryPart) => tier.indexOf(p.check);
    let causes = parts.filter((p) => CAUSES.includes(p.check)).sort((a, b) => rank(CAUSES)(a) - rank(CAUSES)(b));
    if (causes.length === 0) {
      const fallback = parts.filter((p) => FALLBACK_CAUSES.includes(p.check)).sort((a, b) => rank(FALLBACK_CAUSES)(a) - rank(FALLBACK_CAUSES)(b));
      causes = fallback.slice(0, 1);
    }
    if (causes.length === 0) continue;
    groups.push({ ref: causes[0]!.story.ref, causes, effects: parts.filter((p) => !causes.includes(p)) });
  }
  return groups;
}

/** Where a container's last log line is found in `lastLines`. */
export function containerKey(c: { namespace: string; pod: string; container: string }): string {
  return `${c.namespace}/${c.pod}/${c.container}`;
}

/**
 * The findings with each group merged into one root-cause finding, in the place of the group's
 * first cause; `lastLines` holds the last log line of a cause's culprit container, when read.
 */
export function mergeRootCauses(findings: readonly Finding[], groups: readonly RootCauseGroup[], lastLines: ReadonlyMap<string, string> = new Map()): Finding[] {
  const replaced = new Map<Finding, Finding>();
  const dropped = new Set<Finding>();
  for (const group of groups) {
    // Still about its workload: a recent deploy's evidence is added to it after the merge.
    replaced.set(group.causes[0]!.finding, tagWorkload(rootCauseOf(group, lastLines), { ref: group.ref }));
    for (const part of [...group.causes.slice(1), ...group.effects]) dropped.add(part.finding);
  }
  return findings.filter((f) => !dropped.has(f)).map((f) => replaced.get(f) ?? f);
}

function rootCauseOf(group: RootCauseGroup, lastLines: ReadonlyMap<string, string>): Finding {
  const [primary, ...others] = group.causes;
  const parts = [...group.causes, ...group.effects];
  const culprit = primary!.story.culprit;
  const line = culprit ? lastLines.get(containerKey(culprit)) : undefined;
  const causeWords = (p: StoryPart) => p.story.cause ?? p.finding.title;
  const title = `${workloadName(group.ref)}: ${[`${causeWords(primary!)}${line ? `, last log line: ${line}` : ''}`, ...others.map(causeWords)].join('; ')}`;
  const status = parts.map((p) => p.finding.status).reduce((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok' as Status);
  const detail = group.causes.map((p) => p.finding.detail).filter((d): d is string => Boolean(d));
  const fixes = [...new Set(parts.map((p) => p.finding.fix).filter((f): f is string => Boolean(f)))];
  const metrics = Object.assign({}, ...group.effects.map((p) => p.finding.metrics ?? {}), ...[...group.causes].reverse().map((p) => p.finding.metrics ?? {})) as Record<string, number>;
  const effects = group.effects.map((p) => p.story.effect ?? `${p.check}: ${p.finding.title}`);
  const remedies = remediesOf(group);
  const mergedChecks = [...new Set(parts.map((p) => p.finding.check))].filter((c) => c !== primary!.finding.check);
  return {
    check: primary!.finding.check,
    status,
    title,
    ...(detail.length > 0 && { detail: detail.join('\n') }),
    ...(Object.keys(metrics).length > 0 && { metrics }),
    ...(remedies.length > 0 && { remedies }),
    ...(primary!.finding.runbook && { runbook: primary!.finding.runbook }),
    ...(fixes.length > 0 && { fix: fixes.join('\n') }),
    rootCause: true,
    ...(effects.length > 0 && { effects }),
    ...(mergedChecks.length > 0 && { merged: mergedChecks }),
  };
}

/** The causes' buttons and the effects' workload buttons, each once, minus what the workload refuses. */
function remediesOf(group: RootCauseGroup): Remedy[] {
  const refused = new Set([...group.causes, ...group.effects].flatMap((p) => p.story.refuses ?? []));
  const offered = [
    ...group.causes.flatMap((p) => p.finding.remedies ?? []),
    ...group.effects.flatMap((p) => (p.finding.remedies ?? []).filter((r) => WORKLOAD_ACTIONS.has(r.action))),
  ];
  const seen = new Set<string>();
  const once = offered.filter((r) => {
    const key = r.action === 'k8s.logs' ? r.action : JSON.stringify([r.action, Object.entries(r.params).sort(([a], [b]) => a.localeCompare(b))]);
    if (refused.has(r.action) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const order = (r: Remedy) => (ACTION_ORDER.includes(r.action) ? ACTION_ORDER.indexOf(r.action) : ACTION_ORDER.length);
  return once.sort((a, b) => order(a) - order(b));
}
