// One check of a probe, run so that whatever it throws becomes an `unknown` finding naming the
// reason: a check never takes the rest of the report down with it.
import type { Finding } from '../report.ts';
import type { CheckSpec } from './probe-definition.ts';

export interface CheckEntry<C> extends CheckSpec {
  /** Words for the title of an `unknown` finding when the check cannot run. */
  label: string;
  run?: (ctx: C) => Promise<Finding[]>;
}

export async function runGuarded<C>(
  entry: CheckEntry<C> & { run: (ctx: C) => Promise<Finding[]> },
  ctx: C,
  unknown: (check: string, title: string) => Finding,
  describeError: (e: unknown) => string,
): Promise<Finding[]> {
  try {
    const findings = await entry.run(ctx);
    return findings.length ? findings : [unknown(entry.name, `${entry.label}: the check returned nothing`)];
  } catch (e) {
    return [unknown(entry.name, `${entry.label}: could not check (${describeError(e)})`)];
  }
}

/** The public part of check entries: what config validation, help and runbooks see. */
export function checkSpecs(entries: readonly CheckSpec[]): CheckSpec[] {
  return entries.map(({ name, description, thresholds }) => (thresholds ? { name, description, thresholds } : { name, description }));
}
