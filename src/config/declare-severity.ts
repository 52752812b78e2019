// `declare: sev1..sev4` on an alert route or a heartbeat: the severity an incident is declared
// at, as a number; anything else is named with the accepted values.
import { z } from 'zod';
import type { Severity } from '../incidents/ladder.ts';

const DECLARE_VALUES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;

export const declareSeverity = z.unknown().optional().transform((value, ctx): Severity | undefined => {
  if (value === undefined) return undefined;
  const i = DECLARE_VALUES.indexOf(value as (typeof DECLARE_VALUES)[number]);
  if (i === -1) {
    ctx.addIssue({ code: 'custom', message: `not a severity; accepted: ${DECLARE_VALUES.join(', ')}`, input: value });
    return z.NEVER;
  }
  return (i + 1) as Severity;
});
