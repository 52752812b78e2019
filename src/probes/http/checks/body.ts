// bodyMatch: a substring, or /regex/flags. A miss is critical: the endpoint answers but not with
// what a healthy one says ("status":"ok"). Only the first 64 KiB of the body are searched.
// A /regex/ comes from the config and may backtrack catastrophically (/^(a+)+$/ takes minutes on
// 31 characters): it runs with a time bound, and one that takes too long is an `unknown` finding
// naming the key, never an ok.
import vm from 'node:vm';
import type { Finding } from '../../../report.ts';
import { finding, MAX_BODY_BYTES, type HttpCheckInput } from '../check-context.ts';
import type { HttpResult } from '../http-request.ts';
import { snippet } from '../probe-support.ts';

/** How long a /regex/ may run on one body before it is interrupted. */
export const BODY_MATCH_TIMEOUT_MS = 250;

export interface BodyMatcher {
  /** Whether the body matches; `timeout` when a /regex/ ran longer than timeoutMs and was interrupted. */
  test(body: string, timeoutMs?: number): boolean | 'timeout';
  /** How the match reads in a title: `"ok"` or `/"status":\s*"up"/`. */
  label: string;
}

const REGEX_FORM = /^\/(.+)\/([imsu]*)$/s;
/** Runs in a context of its own so that V8 can interrupt it at the deadline. */
const TEST_SCRIPT = new vm.Script('re.test(body)');

/** A matcher for a bodyMatch value; throws when a /regex/ does not compile (the schema reports it). */
export function bodyMatcher(spec: string): BodyMatcher {
  const m = REGEX_FORM.exec(spec);
  if (m) {
    const re = new RegExp(m[1]!, m[2]);
    const context = vm.createContext({ re, body: '' });
    return {
      test: (body, timeoutMs = BODY_MATCH_TIMEOUT_MS) => {
        context.body = body;
        try {
          return TEST_SCRIPT.runInContext(context, { timeout: timeoutMs }) === true;
        } catch (e) {
          if ((e as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
          throw e;
        } finally {
          context.body = '';
        }
      },
      label: `/${m[1]}/${m[2]}`,
    };
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

/** `key` names the setting in the config (targets.<name>.bodyMatch) for a pattern that takes too long. */
export function checkBody(res: HttpResult, spec: string, input: Pick<HttpCheckInput, 'secrets'>, key = 'bodyMatch'): Finding {
  const matcher = bodyMatcher(spec);
  const matched = matcher.test(res.body);
  if (matched === 'timeout') {
    return finding('body', 'unknown', `Body not checked: ${key} ${matcher.label} took longer than ${BODY_MATCH_TIMEOUT_MS} ms and was stopped`, {
      detail: 'The pattern backtracks too much on this body (nested repetition such as (a+)+).',
      fix: `rewrite ${key} without nested or overlapping repetition, or use a plain substring.`,
    });
  }
  if (matched) return finding('body', 'ok', `Body matches ${matcher.label}`);
  const lines = [`Body: ${snippet(res.body, 200, input.secrets)}`];
  if (res.truncated) lines.push(`Only the first ${MAX_BODY_BYTES / 1024} KiB of the body were searched.`);
  return finding('body', 'crit', `Body does not match ${matcher.label}`, {
    detail: lines.join('\n'),
    fix: 'the service answers but not as a healthy one does: read the body for the failing dependency, or update bodyMatch if the health format changed.',
  });
}
