// A recent deploy is the first suspect: every finding about a Deployment whose current ReplicaSet
// is younger than a day gets one line of evidence, "rolled out 4 min ago (01:32 UTC): api:1.8.1 →
// api:1.8.2; env API_URL changed", comparing the current and previous revisions by name only (env
// values may be secrets). Where the Deployment is on the target's restartable list, has a previous
// revision and is not paused, the finding also offers Roll back to that revision.
import type { Finding, Remedy } from '../../report.ts';
import { formatDuration } from '../format.ts';
import { scrubText } from '../scrub-findings.ts';
import type { ClusterSnapshot, WorkloadStatus } from './cluster-snapshot.ts';
import { isRestartable, type KubeTarget } from './kube-target.ts';
import { describeChange, type RevisionRecord } from './rollout-history.ts';
import type { WorkloadRef } from './workload-of.ts';
import { storyOf, type WorkloadStory } from './workload-story.ts';

/** A current ReplicaSet older than this is not a recent deploy. */
export const RECENT_ROLLOUT_MS = 24 * 3600_000;
/** The rollback button's change text, cut to fit its parameter. */
export const ROLLBACK_CHANGE_MAX = 300;
/** Changes named besides images; more are counted. */
const CHANGES_NAMED = 6;

export interface DeployContext {
  snapshot: ClusterSnapshot;
  target: KubeTarget;
  now: number;
  /** Masked in the button's change text before it is cut (the engine masks it again, after the cut, where a part of a secret would no longer match). */
  secrets?: readonly string[];
}

function hhmm(d: Date): string {
  return d.toISOString().slice(11, 16);
}

/** "api:1.8.2 → api:1.8.1", or the revisions when no image differs; secrets masked before the cut. */
function changeText(from: RevisionRecord, to: RevisionRecord, secrets: readonly string[] = []): string {
  const { images, other } = describeChange(from, to);
  const words = scrubText(images.length > 0 ? images.join(', ') : `revision ${from.revision} → ${to.revision}${other.length > 0 ? ` (${other.slice(0, 3).join(', ')})` : ''}`, secrets);
  return words.length > ROLLBACK_CHANGE_MAX ? `${words.slice(0, ROLLBACK_CHANGE_MAX - 1)}…` : words;
}

/** "; unavailable since 01:36 UTC, 4 min after the deploy" when the deployment lost availability after it. */
function failingAfter(deployedAt: Date, unavailableSince: Date | undefined): string {
  if (!unavailableSince || unavailableSince.getTime() < deployedAt.getTime()) return '';
  return `; unavailable since ${hhmm(unavailableSince)} UTC, ${formatDuration((unavailableSince.getTime() - deployedAt.getTime()) / 1000)} after the deploy`;
}

/** The evidence line and the rollback button for a deployment rolled out within a day, else nothing. */
function deployEvidence(ctx: DeployContext, ref: WorkloadRef, problems: ReadonlyMap<string, WorkloadStatus>): { line?: string; remedy?: Remedy } {
  if (ref.kind !== 'deployment') return {};
  const history = ctx.snapshot.rollouts.get(`${ref.namespace}/${ref.name}`);
  const current = history?.current;
  if (!current?.createdAt) return {};
  const age = ctx.now - current.createdAt.getTime();
  if (age > RECENT_ROLLOUT_MS) return {};
  const when = `rolled out ${formatDuration(Math.max(0, age) / 1000)} ago (${hhmm(current.createdAt)} UTC, revision ${current.revision})`;
  const previous = history!.previous;
  if (!previous) {
    const images = [...current.images.values()].join(', ');
    return { line: `${when}: first revision${images ? `, ${images}` : ''}` };
  }
  const { images, other } = describeChange(previous, current);
  const changes = [
    ...(images.length > 0 ? [images.join(', ')] : [`same images (${[...current.images.values()].join(', ')})`]),
    ...other.slice(0, CHANGES_NAMED),
    ...(other.length > CHANGES_NAMED ? [`${other.length - CHANGES_NAMED} more changes`] : []),
  ];
  const status = problems.get(`${ref.namespace}/${ref.name}`);
  const line = `${when}: ${changes.join('; ')}${failingAfter(current.createdAt, status?.unavailableSince)}`;
  const paused = status?.paused === true;
  if (paused || !isRestartable(ctx.target, ref.namespace, 'deployment', ref.name)) return { line };
  return {
    line,
    remedy: {
      action: 'k8s.rollback',
      label: `Roll back ${ref.name}`,
      params: { namespace: ref.namespace, workload: 'deployment', name: ref.name, revision: previous.revision, change: changeText(current, previous, ctx.secrets ?? []) },
    },
  };
}

/**
 * The findings about a recently deployed Deployment with the deploy's line added to their detail and
 * the rollback button after the logs; others unchanged. Findings are changed in place.
 */
export function withDeployEvidence(findings: Finding[], ctx: DeployContext, lookup: (f: Finding) => WorkloadStory | undefined = storyOf): Finding[] {
  // `<ns>/<deployment>` -> its status, looked up once per finding instead of scanning the list.
  const problems = new Map(ctx.snapshot.workloadProblems.filter((w) => w.ref.kind === 'deployment').map((w) => [`${w.ref.namespace}/${w.ref.name}`, w]));
  for (const f of findings) {
    if (f.status === 'ok') continue;
    const ref = lookup(f)?.ref;
    if (!ref) continue;
    const { line, remedy } = deployEvidence(ctx, ref, problems);
    if (line) f.detail = [f.detail, `deploy: ${line}`].filter(Boolean).join('\n');
    if (remedy && !(f.remedies ?? []).some((r) => r.action === 'k8s.rollback')) {
      const remedies = [...(f.remedies ?? [])];
      const at = remedies.findIndex((r) => r.action !== 'k8s.logs');
      remedies.splice(at < 0 ? remedies.length : at, 0, remedy);
      f.remedies = remedies;
    }
  }
  return findings;
}
