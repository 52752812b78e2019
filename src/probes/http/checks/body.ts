// bodyMatch: a substring, or /regex/flags. A miss is critical: the endpoint answers but not with
// what a healthy one says ("status":"ok"). Only the first 64 KiB of the body are searched.
import type { Finding } from '../../../report.ts';
import { finding, MAX_BODY_BYTES } from '../check-context.ts';
import type { HttpResult } from '../http-request.ts';
import { snippet } from '../probe-support.ts';

export interface BodyMatcher {
  test(body: string): boolean;
  /** How the match reads in a title: `"ok"` or `/"status":\s*"up"/`. */
  label: string;
}

const REGEX_FORM = /^\/(.+)\/([imsu]*)$/s;

/** A matcher for a bodyMatch value; throws when a /regex/ does not compile (the schema reports it). */
export function bodyMatcher(spec: string): BodyMatcher {
  const m = REGEX_FORM.exec(spec);
  if (m) {
    const re = new RegExp(m[1]!, m[2]);
    return { test: (body) => re.test(body), label: `/${m[1]}/${m[2]}` };
  }
  return { test: (body) => body.includes(spec), label: JSON.stringify(spec) };
}

/** Why a bodyMatch value is invalid, or undefined. */
export function invalidBodyMatch(spec: string): string | undefined {
  try {
    bodyMatcher(spec);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function checkBody(res: HttpResult, spec: string): Finding {
  const matcher = bodyMatcher(spec);
  if (matcher.test(res.body)) return finding('body', 'ok', `Body matches ${matcher.label}`);
  const lines = [`Body: ${snippet(res.body)}`];
  if (res.truncated) lines.push(`Only the first ${MAX_BODY_BYTES / 1024} KiB of the body were searched.`);
  lines.push('Fix: the service answers but not as a healthy one does: read the body for the failing dependency, or update bodyMatch if the health format changed.');
  return finding('body', 'crit', `Body does not match ${matcher.label}`, { detail: lines.join('\n') });
}
