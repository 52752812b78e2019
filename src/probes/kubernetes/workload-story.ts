// What a per-workload finding means for its workload's story, kept beside the finding (not in it)
// from the check to the session's merge: the workload, the finding's words as a cause and as an
// effect, the container whose last log line tells why, and buttons the workload cannot take.
import type { Finding } from '../../report.ts';
import type { WorkloadRef } from './workload-of.ts';

export interface WorkloadStory {
  ref: WorkloadRef;
  /** The finding as the cause of its workload's trouble, said after the workload ("3 of 3 pods crashlooping, exit code 1"). */
  cause?: string;
  /** The finding as one consequence, a whole line ("readiness: 3 pods not ready for 5 min"). */
  effect?: string;
  /** The container whose previous instance's last log line says why it stops. */
  culprit?: { namespace: string; pod: string; container: string };
  /** Actions the workload cannot take now (a paused deployment cannot be restarted). */
  refuses?: readonly string[];
}

const stories = new WeakMap<Finding, WorkloadStory>();

/** Tags a finding with its story and returns it. */
export function tagWorkload(finding: Finding, story: WorkloadStory): Finding {
  stories.set(finding, story);
  return finding;
}

/** The story a check tagged the finding with, or undefined (a summary finding, an ok one). */
export function storyOf(finding: Finding): WorkloadStory | undefined {
  return stories.get(finding);
}
