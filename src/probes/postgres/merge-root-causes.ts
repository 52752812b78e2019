// The run's finish: when a session heads a lock chain, every finding that blames that session
// becomes part of the chain's root cause (its facts in the root cause's detail, the worst status
// of them all), and the chain's victims leave the other findings (they are the root cause's
// effects, and a button on a victim is the wrong fix). Findings with no shared culprit stay as
// their checks made them.
import type { Finding } from '../../report.ts';
import { worstStatus } from '../../report.ts';
import { checkId } from '../probe-definition.ts';
import { KIND } from './check-context.ts';
import type { RunEvidence } from './run-evidence.ts';

const ROOT_CHECK = checkId(KIND, 'blocking_locks');

export function mergeRootCauses(findings: readonly Finding[], evidence: RunEvidence): Finding[] {
  if (evidence.lockRoots.length === 0) return [...findings];
  // A prepared transaction (pid 0) is no session of any other finding, but its victims are effects.
  const rootPids = new Set(evidence.lockRoots.map((r) => r.pid).filter((pid) => pid > 0));
  const victims = new Set(evidence.lockRoots.flatMap((r) => r.waiters).filter((pid) => !rootPids.has(pid)));
  const gone = new Set([...rootPids, ...victims]);

  const facts = new Map<number, Array<{ check: string; status: Finding['status']; fact: string }>>();
  const replaced = new Map<Finding, Finding[]>();
  // Checks left with no finding of their own, by the root whose session or victims they were about.
  const takenIn = new Map<number, Set<string>>();
  for (const [check, by] of evidence.sessions) {
    const hit = by.flagged.filter((s) => gone.has(s.pid));
    if (hit.length === 0) continue;
    for (const s of hit) {
      if (rootPids.has(s.pid)) facts.set(s.pid, [...(facts.get(s.pid) ?? []), { check, status: s.status, fact: s.fact }]);
    }
    const again = by.without(gone);
    by.findings.forEach((f, i) => replaced.set(f, i === 0 ? again : []));
    if (again.length > 0) continue;
    for (const root of evidence.lockRoots) {
      if (hit.some((s) => s.pid === root.pid || root.waiters.includes(s.pid))) {
        takenIn.set(root.pid, (takenIn.get(root.pid) ?? new Set()).add(checkId(KIND, check)));
      }
    }
  }

  const out: Finding[] = [];
  for (const f of findings) {
    const instead = replaced.get(f);
    if (instead) {
      out.push(...instead);
      continue;
    }
    const pid = f.check === ROOT_CHECK && f.rootCause ? f.metrics?.root_blocker_pid : undefined;
    const merged = (pid !== undefined && facts.get(pid)) || [];
    const checks = pid !== undefined ? [...(takenIn.get(pid) ?? [])] : [];
    if (merged.length === 0 && checks.length === 0) {
      out.push(f);
      continue;
    }
    const lines = merged.map((m) => `also ${m.status} in ${checkId(KIND, m.check)}: ${m.fact}`);
    out.push({
      ...f,
      status: worstStatus([f.status, ...merged.map((m) => m.status)]),
      detail: [f.detail, ...lines].filter(Boolean).join('\n'),
      ...(checks.length > 0 && { merged: [...new Set([...(f.merged ?? []), ...checks])] }),
    });
  }
  return out;
}
