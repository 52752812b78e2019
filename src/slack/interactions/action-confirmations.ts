// The bot's own record of a confirmation: a destructive remedy runs only on the presser's "Run it"
// (or their Scale dialog) within 10 minutes, once. The row keeps where the press happened and what
// it asks, so the confirmation needs nothing from the request that uses it but its id.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { CONFIRMATION_MINUTES } from '../../actions/confirmation-message.ts';

/** Where the press happened and what it asks: kept in the confirmation row until it is used. */
export interface PressedRemedy {
  action: string;
  params: Record<string, string | number>;
  target: string;
  channel: string;
  messageTs: string;
  threadTs: string;
  /** The nonce the bot signed into the message's buttons: the once-only key's message part. */
  messageKey: string;
}

/** The answer to a press of a confirmation used already (or being used by another press right now). */
export const CONFIRMATION_USED = 'This confirmation was already used.';

const CONFIRM_TTL_MS = CONFIRMATION_MINUTES * 60_000;

export async function recordConfirmation(pool: pg.Pool, user: string, press: PressedRemedy): Promise<string> {
  const id = randomBytes(12).toString('base64url');
  await pool.query(
    `INSERT INTO action_confirmations (id, user_id, request, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
    [id, user, JSON.stringify(press), CONFIRM_TTL_MS]);
  // Old rows go as new ones come: the table stays the size of the last day's presses.
  void pool.query(`DELETE FROM action_confirmations WHERE expires_at < now() - interval '1 day'`).catch(() => undefined);
  return id;
}

export async function peekConfirmation(pool: pg.Pool, id: string): Promise<PressedRemedy | undefined> {
  const { rows } = await pool.query<{ request: PressedRemedy }>(`SELECT request FROM action_confirmations WHERE id = $1`, [id]);
  return rows[0]?.request;
}

/** Uses the confirmation once: the press it confirms, or why it cannot be used. */
export async function useConfirmation(pool: pg.Pool, id: string, user: string): Promise<PressedRemedy | string> {
  const { rows } = await pool.query<{ request: PressedRemedy }>(
    `UPDATE action_confirmations SET used_at = now() WHERE id = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now() RETURNING request`, [id, user]);
  if (rows[0]) return rows[0].request;
  const { rows: found } = await pool.query<{ user_id: string; used: boolean; expired: boolean }>(
    `SELECT user_id, used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM action_confirmations WHERE id = $1`, [id]);
  const c = found[0];
  if (!c) return 'This confirmation is not one the bot recorded: press the button on the report again.';
  if (c.user_id !== user) return 'This confirmation belongs to whoever pressed the button: press it yourself to run it.';
  if (c.used) return CONFIRMATION_USED;
  return 'This confirmation has expired: press the button on the report again.';
}
