// A remedy button press, from payload to outcome: validate what the payload asks against the
// catalogue and the config (a forged or stale payload is refused), check access, run it once per
// message+action+params however often it is pressed, and audit every attempt.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import { redactSecrets } from '../redact-secrets.ts';
import type { AuditLog } from '../store/audit-log.ts';
import { findAction } from './action-catalogue.ts';
import { invalidParams, ownEntry } from './validate-params.ts';
import { isAllowed, rulesFor, type Presser } from './authorize-action.ts';
import { SILENT_IO, type ActionExecutor, type ActionIo, type ActionParams } from './action-executor.ts';
import { KUBERNETES_EXECUTORS } from './kubernetes-actions.ts';
import { POSTGRES_EXECUTORS } from './postgres-actions.ts';

const EXECUTORS: Record<string, ActionExecutor> = { ...POSTGRES_EXECUTORS, ...KUBERNETES_EXECUTORS };

export interface ActionRequest {
  action: string;
  params: ActionParams;
  target: string;
  /** The message the button is on: part of the once-only key. */
  messageTs: string;
  presser: Presser;
  /** Progress and attachments, where the transport shows them. */
  io?: ActionIo;
}

/**
 * Plain text, never markup: parts of it come from the button payload or the database, so the
 * transport escapes it and adds mentions of `presser` and `startedBy` itself.
 */
export type ActionOutcome =
  | { kind: 'refused' | 'succeeded' | 'failed'; text: string }
  /** `askable`: who could run it, for the transport to name (users, user groups, channels). */
  | { kind: 'denied'; text: string; askable: { users: string[]; groups: string[]; channels: string[] } }
  | { kind: 'duplicate'; text: string; startedBy: string; ageSeconds: number };

export interface ActionServices {
  config: Config;
  audit: AuditLog;
  pool: pg.Pool;
  log: Logger;
}

export async function runAction(request: ActionRequest, services: ActionServices): Promise<ActionOutcome> {
  const started = Date.now();
  const { action, params, target: targetName, presser } = request;
  const audit = (outcome: string, detail?: string) =>
    services.audit
      .record({ actor: presser.user, channel: presser.channel, source: 'slack', action, target: targetName, params, outcome, durationMs: Date.now() - started, ...(detail && { detail }) })
      .catch((err: unknown) => services.log.error({ err, action }, 'while writing the audit row of an action'));

  const spec = findAction(action);
  const executor = ownEntry(EXECUTORS, action);
  const target = services.config.targets.find((t) => t.name === targetName);
  const problem = !spec || !executor
    ? `unknown action "${action}"`
    : !target
      ? `target "${targetName}" is not configured`
      : !action.startsWith(`${target.kind}.`)
        ? `${action} does not apply to ${target.kind} target ${targetName}`
        : invalidParams(spec.params, params) ?? executor.refuse?.(target, params);
  if (problem) {
    await audit('refused', problem);
    return { kind: 'refused', text: `This button is not valid any more: ${problem}.` };
  }

  if (spec!.destructive && !(await isAllowed(services.config.access, action, presser))) {
    await audit('denied');
    const rules = rulesFor(services.config.access, action);
    const askable = { users: unique(rules.flatMap((r) => r.users)), groups: unique(rules.flatMap((r) => r.groups)), channels: unique(rules.flatMap((r) => r.channels)) };
    const subject = [targetName, params.namespace, params.name ?? params.pod].filter((p) => p !== undefined).join('/');
    return { kind: 'denied', text: `You are not allowed to run ${action} on ${subject}`, askable };
  }

  const key = createHash('sha256').update(JSON.stringify([request.messageTs, action, targetName, sortedParams(params)])).digest('hex');
  const claimed = await services.pool.query(
    `INSERT INTO action_runs (key, action, target, params, started_by, channel) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO NOTHING RETURNING 1`,
    [key, action, targetName, JSON.stringify(params), presser.user, presser.channel ?? null]);
  if (claimed.rowCount === 0) {
    const { rows } = await services.pool.query<{ started_by: string; age_s: number; outcome: string | null }>(
      `SELECT started_by, extract(epoch from now() - started_at)::float8 AS age_s, outcome FROM action_runs WHERE key = $1`, [key]);
    const run = rows[0];
    await audit('duplicate');
    const state = run?.outcome ? `already done (${run.outcome})` : 'already running';
    return { kind: 'duplicate', text: `${action} on ${targetName} is ${state}`, startedBy: run?.started_by ?? 'someone', ageSeconds: Math.round(run?.age_s ?? 0) };
  }

  try {
    const result = await executor!.run(target!, params, request.io ?? SILENT_IO);
    await services.pool.query(`UPDATE action_runs SET finished_at = now(), outcome = 'succeeded', detail = $2 WHERE key = $1`, [key, result]);
    await audit('succeeded', result);
    return { kind: 'succeeded', text: `ran ${spec!.title} on ${targetName}: ${result}.` };
  } catch (error) {
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    await services.pool.query(`UPDATE action_runs SET finished_at = now(), outcome = 'failed', detail = $2 WHERE key = $1`, [key, reason]);
    await audit('failed', reason);
    services.log.warn({ err: error, action, target: targetName }, 'action failed');
    return { kind: 'failed', text: `ran ${spec!.title} on ${targetName}: failed: ${reason}` };
  }
}

function sortedParams(params: ActionParams): [string, string | number][] {
  return Object.entries(params).sort(([a], [b]) => a.localeCompare(b));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
