// What a failed delivery leads to: Slack's 429 is waited out as asked (not counted), a message
// deleted in Slack is posted anew at once, a channel that refuses is asked again in ten minutes,
// and any other failure is retried with backoff (1 s, 2 s, 4 s ... up to 5 minutes).
import { PacerStoppedError } from '../coord/channel-pacer.ts';
import { AlertPostError } from '../alerts/alert-poster.ts';

const MAX_BACKOFF_MS = 5 * 60_000;
/** A channel that refuses (bot not invited, archived): asked again after this long. */
const PERMANENT_RETRY_MS = 10 * 60_000;

export interface DeliveryRetry {
  delayMs: number;
  /** The attempt counts for the backoff. */
  counted: boolean;
  /** The message is gone: forget it, post anew. */
  forget: boolean;
  /** How loudly it is said: none for a wait Slack asked for or a shutdown; a first blip quietly. */
  level: 'none' | 'warn' | 'error';
}

/** `attempts`: the failures counted before this one. */
export function deliveryRetry(error: unknown, attempts: number): DeliveryRetry {
  // Left waiting for its channel's turn when the bot stopped: the next replica or start takes it.
  if (error instanceof PacerStoppedError) return { delayMs: 0, counted: false, forget: false, level: 'none' };
  const postError = error instanceof AlertPostError ? error : undefined;
  if (postError?.messageGone) return { delayMs: 0, counted: false, forget: true, level: 'warn' };
  if (postError?.retryAfterMs !== undefined) return { delayMs: postError.retryAfterMs, counted: false, forget: false, level: 'none' };
  if (postError?.permanent) return { delayMs: PERMANENT_RETRY_MS, counted: true, forget: false, level: 'error' };
  // A first failure is a blip, logged quietly; one that goes on is said.
  return { delayMs: Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** attempts), counted: true, forget: false, level: attempts >= 3 ? 'error' : 'warn' };
}
