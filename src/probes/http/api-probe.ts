// Runs the checks of a JSON-API probe (prometheus, alertmanager): all at once over one client and
// one deadline, each guarded so that a failure is an `unknown` finding of its own check. When no
// call got any answer, only the `reachable` finding is kept: the others would repeat its cause.
import { z } from 'zod';
import type { Finding } from '../../report.ts';
import { resolveThresholds, type CheckSpec, type ProbeContext, type TargetBase, type Thresholds } from '../probe-definition.ts';
import { failureMessage } from './classify-error.ts';
import { ApiClient, apiFailureFix, describeApiFailure, type ApiFailure } from './json-api.ts';
import { Deadline, findingFor } from './probe-support.ts';
import { scrubFindings, sortedSecrets, targetSecrets } from './secrets.ts';

export type ApiTarget = TargetBase & {
  /** Base URL of the server, e.g. http://prometheus:9090 or https://host/prometheus/. */
  url: string;
  headers?: Record<string, string>;
};

/** The kind-specific keys of an API target in chatops.yml. */
export const apiTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// base URL' }),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'), z.string().regex(/^[^\r\n]*$/, 'a header value is one line'))
    .optional(),
});

export interface ApiCheckContext {
  api: ApiClient;
  thresholds(check: string): Thresholds;
  timeoutMs: number;
  now: Date;
}

export interface ApiCheck extends CheckSpec {
  /** Words for the title of an `unknown` finding when the check cannot run. */
  label: string;
  run(ctx: ApiCheckContext): Promise<Finding[]>;
}

export function checkSpecs(checks: readonly ApiCheck[]): CheckSpec[] {
  return checks.map(({ name, description, thresholds }) => (thresholds ? { name, description, thresholds } : { name, description }));
}

export async function runApiProbe(kind: string, checks: readonly ApiCheck[], target: ApiTarget, ctx: ProbeContext): Promise<Finding[]> {
  const finding = findingFor(kind);
  const secrets = sortedSecrets([...targetSecrets(target.url, target.headers), ...(ctx.secrets ?? [])]);
  const scrub = (findings: Finding[]) => scrubFindings(findings, secrets);
  if (ctx.signal.aborted) return [finding('reachable', 'unknown', 'Not checked: the probe was cancelled before it started')];
  const deadline = new Deadline(ctx.signal, target.timeoutMs);
  let api: ApiClient;
  try {
    api = new ApiClient(target.url, target.headers, deadline, secrets);
  } catch (e) {
    return scrub([finding('reachable', 'crit', `Unreachable: invalid URL (${failureMessage(e)})`, { detail: 'Expected a base URL like http://prometheus:9090.' })]);
  }
  try {
    const thresholds = resolveThresholds({ checks: checkSpecs(checks) }, target.thresholds);
    const checkCtx: ApiCheckContext = {
      api,
      thresholds: (check) => thresholds[check] ?? { warn: Infinity, crit: Infinity },
      timeoutMs: deadline.timeoutMs,
      now: new Date(),
    };
    const results: Array<Finding[] | undefined> = checks.map(() => undefined);
    await deadline.race(
      Promise.all(
        checks.map(async (check, i) => {
          results[i] = await guarded(check, checkCtx, finding);
        }),
      ),
    );
    const unfinished = deadline.cancelled ? 'the probe was cancelled' : `no answer within ${deadline.timeoutMs} ms`;
    const unfinishedStatus = (check: ApiCheck) => (check.name === 'reachable' && !deadline.cancelled ? 'crit' : 'unknown');
    const findings = checks.map((check, i) => results[i] ?? [finding(check.name, unfinishedStatus(check), `${check.label}: could not check (${unfinished})`)]);
    // Every check calls the server: when not one call got an answer, they all failed alike.
    if (api.answered === 0) {
      return scrub(checks.flatMap((check, i) => (check.name === 'reachable' ? findings[i]! : [])));
    }
    return scrub(findings.flat());
  } catch (e) {
    ctx.log.error({ err: e }, `${kind} probe failed`);
    return scrub([finding('reachable', 'unknown', `Probe failed: ${failureMessage(e)}`)]);
  }
}

async function guarded(check: ApiCheck, ctx: ApiCheckContext, finding: ReturnType<typeof findingFor>): Promise<Finding[]> {
  try {
    const findings = await check.run(ctx);
    return findings.length ? findings : [finding(check.name, 'unknown', `${check.label}: the check returned nothing`)];
  } catch (e) {
    return [finding(check.name, 'unknown', `${check.label}: could not check (${failureMessage(e)})`)];
  }
}

/** The `unknown` finding of a check whose call failed: what happened, and what to look at. */
export function failedCall(kind: string, check: string, label: string, failure: ApiFailure): Finding {
  return findingFor(kind)(check, 'unknown', `${label}: could not check (${describeApiFailure(failure)})`, { detail: apiFailureFix(failure) });
}
