// What the three HTTP-based probes (http, prometheus, alertmanager) share besides the request:
// findings with the kind's prefix, the run's deadline, a readable snippet of a body.

import { maskSecrets } from '../../security/mask-secrets.ts';
import { findingFor as plainFindingFor } from '../finding-for.ts';

export { statusAbove, statusBelow, type FindingExtra } from '../finding-for.ts';

/** The kind's finding builder (the shared one: it keeps a finding's fix, root cause, effects and configuration mark). */
export const findingFor = plainFindingFor;

/** The run's budget: the caller's signal and the target's timeout (resolved by the engine), whichever ends first. */
export class Deadline {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly #caller: AbortSignal;

  constructor(caller: AbortSignal, timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    this.#caller = caller;
    this.signal = AbortSignal.any([caller, AbortSignal.timeout(this.timeoutMs)]);
  }

  /** True when the target's own timeout ended the run (not the caller cancelling it). */
  get timedOut(): boolean {
    return this.signal.aborted && !this.#caller.aborted;
  }

  get cancelled(): boolean {
    return this.#caller.aborted;
  }

  /**
   * The promise's value, or undefined once the budget (plus a little slack for the abort to
   * unwind) is spent: a request that ignores its signal cannot hold the report.
   */
  async race<T>(promise: Promise<T>, slackMs = 250): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs + slackMs);
      onAbort = () => {
        clearTimeout(timer);
        timer = setTimeout(() => resolve(undefined), slackMs);
      };
      this.#caller.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([promise, stop]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.#caller.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * The first characters of a body on one line, for a finding: `<html> <title>502 Bad Gateway</title> ...`.
 * Secrets (the generic patterns and `secrets`) are masked in the whole body first, then it is cut:
 * a cut never leaves part of a secret.
 */
export function snippet(body: string, max = 200, secrets: readonly string[] = []): string {
  // eslint-disable-next-line no-control-regex
  const flat = maskSecrets(body, secrets).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

/** At most `max` lines, then "N more". */
export function capLines(lines: readonly string[], max: number, noun = 'more'): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `... ${lines.length - max} ${noun}`];
}
