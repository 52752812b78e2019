// Findings and their status, the same way for every probe kind.
import type { Finding, Status } from '../report.ts';
import { checkId, type Thresholds } from './probe-definition.ts';

export type FindingExtra = Omit<Finding, 'check' | 'status' | 'title'>;

/**
 * A finding builder for one kind: `finding('connections', 'warn', 'Connections 90%')`. Given the
 * kind's check names (`findingFor<PostgresCheckName>('postgres')`), a misspelt name is a type error.
 */
export function findingFor<N extends string = string>(kind: string) {
  return (check: N, status: Status, title: string, extra: FindingExtra = {}): Finding => {
    const f: Finding = { check: checkId(kind, check), status, title };
    if (extra.detail) f.detail = extra.detail;
    if (extra.metrics) f.metrics = extra.metrics;
    if (extra.remedies?.length) f.remedies = extra.remedies;
    if (extra.runbook) f.runbook = extra.runbook;
    if (extra.fix) f.fix = extra.fix;
    if (extra.rootCause) f.rootCause = true;
    if (extra.effects?.length) f.effects = extra.effects;
    if (extra.merged?.length) f.merged = extra.merged;
    if (extra.config) f.config = true;
    return f;
  };
}

/** Status of a value where more is worse. */
export function statusAbove(value: number, t: Thresholds): Status {
  if (value >= t.crit) return 'crit';
  if (value >= t.warn) return 'warn';
  return 'ok';
}

/** Status of a value where less is worse (hit ratio, days left). */
export function statusBelow(value: number, t: Thresholds): Status {
  if (value < t.crit) return 'crit';
  if (value < t.warn) return 'warn';
  return 'ok';
}
