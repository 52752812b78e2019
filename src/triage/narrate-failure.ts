// Why the narrating model gave no answer, in words for the triage answer: the HTTP status and
// OpenAI's error code (`insufficient_quota`), a connection that failed, or the time it did not
// answer in. The server's own message is never quoted: an OpenAI 401 quotes part of the key.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { AnswerTooLargeError } from '../probes/openai/capped-fetch.ts';

/** An error code is quoted only as an identifier: letters, digits, _ . - and at most this long. */
const MAX_CODE_CHARS = 60;

export function describeModelFailure(e: unknown, seconds: string): string {
  if (e instanceof APIConnectionTimeoutError || e instanceof APIUserAbortError) return `the model did not answer within ${seconds}`;
  if (e instanceof APIError && typeof e.status === 'number') {
    const code = identifier(e.code) ?? identifier(e.type);
    const hint = HINTS[e.status] ?? (e.status >= 500 ? 'the model server failed' : 'the model server refused the request');
    return `the model server answered HTTP ${e.status}${code ? ` (${code})` : ''}: ${hint}`;
  }
  if (e instanceof APIConnectionError) {
    const cause = errnoCode(e.cause);
    return `the model server could not be reached${cause ? ` (${cause})` : ''}`;
  }
  if (errorChain(e).some((x) => x instanceof AnswerTooLargeError)) return 'the model answered nonsense: an answer too large to read';
  if (e instanceof SyntaxError) return 'the model answered nonsense: not JSON';
  return `the model could not be asked: ${e instanceof Error ? e.name : typeof e}`;
}

const HINTS: Record<number, string> = {
  400: 'it refused the request (the model name, or a parameter it does not take)',
  401: 'the key was refused',
  403: 'the key may not use this model or endpoint',
  404: 'no such model or endpoint (check the model name and the URL\'s version path)',
  408: 'the server timed out',
  413: 'the request was too large for it',
  429: 'rate limited or out of quota',
};

function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && new RegExp(`^[A-Za-z0-9_.-]{1,${MAX_CODE_CHARS}}$`).test(value) ? value : undefined;
}

/** ECONNREFUSED, ENOTFOUND...: the first errno-like code along the error's causes. */
function errnoCode(e: unknown): string | undefined {
  for (const x of errorChain(e)) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]{2,30}$|^UND_ERR_[A-Z_]{1,40}$/.test(code)) return code;
  }
  return undefined;
}

function errorChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let x = e, depth = 0; x !== undefined && x !== null && depth < 6; x = (x as { cause?: unknown }).cause, depth++) out.push(x);
  return out;
}
