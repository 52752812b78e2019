// The window of `/diag logs ... [since]`: "15m", "2h", "90s", "1h30m", bounded to a day.
import { UserError } from '../../../user-error.ts';

/** Without a `since`, the last 15 minutes are read. */
export const DEFAULT_SINCE_S = 15 * 60;
export const MAX_SINCE_S = 24 * 3600;
const MIN_SINCE_S = 10;
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds of a window like 15m, 2h, 90s or 1h30m; a bad or unbounded value is a UserError naming the accepted forms. */
export function parseSince(word: string): number {
  const accepted = 'accepted: a number with s, m or h, such as 90s, 15m, 2h or 1h30m, from 10s to 24h';
  const m = /^(?:(\d{1,5})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/.exec(word.trim().toLowerCase());
  if (!m || word.trim() === '' || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    throw new UserError(`since "${word}" is not a duration; ${accepted}`);
  }
  const seconds = Number(m[1] ?? 0) * UNIT_S.h! + Number(m[2] ?? 0) * UNIT_S.m! + Number(m[3] ?? 0);
  if (seconds < MIN_SINCE_S || seconds > MAX_SINCE_S) throw new UserError(`since ${word} is out of bounds; ${accepted}`);
  return seconds;
}

/** "15 min", "2 h", "1 h 30 min", "90 s". */
export function sinceWords(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean).join(' ') || '0 s';
}
