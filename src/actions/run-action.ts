// A remedy button press, from payload to outcome: validate what the payload asks against the
// catalogue and the config (a forged or stale payload is refused), check access, run it once per
// message+action+params however often it is pressed, and audit every attempt.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Config, Target } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import type { AuditTrail } from '../store/audit-log.ts';
import { findAction } from './action-catalogue.ts';
import type { ActionDefinition } from './action-definition.ts';
import { invalidParams } from './validate-params.ts';
import { isAllowed, rulesFor, type Presser } from './authorize-action.ts';
import { SILENT_IO, type ActionIo, type ActionParams } from './action-executor.ts';
import type { ActionRunner } from './action-runner.ts';
import { metrics } from '../metrics/metrics.ts';

export interface ActionRequest {
  action: string;
  params: ActionParams;
  target: string;
  /** The message the button is on (its ts, where known). */
  messageTs: string;
  /**
   * What identifies that message for the once-only key: the nonce the bot signed into its buttons
   * (a forged ts cannot make a second run); the ts when there is none.
   */
  messageKey?: string;
  presser: Presser;
  /** Progress and attachments, where the transport shows them. */
  io?: ActionIo;
  /**
   * The report's thread (channel and thread ts), stored with the claim: if the run is interrupted,
   * the process that records it (maybe another replica, after a restart) says so there.
   */
  thread?: { channel: string; ts: string };
  /** Where the button was pressed, for the audit rows (absent: Slack). */
  source?: 'slack' | 'playground';
}

/**
 * Plain text, never markup: parts of it come from the button payload or the database, so the
 * transport escapes it and adds mentions of `presser` and `startedBy` itself.
 */
export type ActionOutcome =
  | { kind: 'refused' | 'succeeded' | 'failed'; text: string }
  /** `askable`: who could run it, for the transport to name (users, user groups, channels). */
  | { kind: 'denied'; text: string; askable: { users: string[]; groups: string[]; channels: string[] } }
  | { kind: 'duplicate'; text: string; startedBy: string; ageSeconds: number }
  /** The run was cut short (the bot shutting down): recorded, and said in the thread already. */
  | { kind: 'interrupted'; text: string };

export interface ActionServices {
  config: Config;
  audit: AuditTrail;
  pool: pg.Pool;
  log: Logger;
  /** Claims, leases and outcomes of runs (start-bot makes one per process). */
  actions: ActionRunner;
}

type Audit = (outcome: string, detail?: string) => Promise<unknown>;

/**
 * Whether this press may run: the action, target and parameters are valid for the config as it is
 * now, and the presser may run it. A refusal or denial is audited and returned as the outcome.
 * The press handler asks first (before it offers a confirmation); runAction asks again.
 */
export async function vetAction(
  request: Omit<ActionRequest, 'messageTs'>,
  services: ActionServices,
  audit: Audit = auditFor(request, services),
): Promise<{ outcome: ActionOutcome } | { spec: ActionDefinition; target: Target }> {
  const { action, params, target: targetName, presser } = request;
  const spec = findAction(action);
  const target = services.config.targets.find((t) => t.name === targetName);
  const problem = !spec
    ? `unknown action "${action}"`
    : !target
      ? `target "${targetName}" is not configured`
      : !action.startsWith(`${target.kind}.`)
        ? `${action} does not apply to ${target.kind} target ${targetName}`
        : target.configProblem !== undefined
          ? `the bot's configuration of ${targetName} cannot be used (${target.configProblem})`
          : invalidParams(spec.params, params) ?? spec.refuse?.(target, params);
  if (problem) {
    await audit('refused', problem);
    countAction(action, 'refused');
    return { outcome: { kind: 'refused', text: `This button is not valid any more: ${problem}.` } };
  }

  if (spec!.destructive && !(await isAllowed(services.config.access, action, presser))) {
    await audit('denied');
    countAction(action, 'denied');
    const rules = rulesFor(services.config.access, action);
    const askable = { users: unique(rules.flatMap((r) => r.users)), groups: unique(rules.flatMap((r) => r.groups)), channels: unique(rules.flatMap((r) => r.channels)) };
    const subject = [targetName, params.namespace, params.name ?? params.pod].filter((p) => p !== undefined).join('/');
    return { outcome: { kind: 'denied', text: `You are not allowed to run ${action} on ${subject}`, askable } };
  }
  return { spec: spec!, target: target! };
}

function auditFor(request: Omit<ActionRequest, 'messageTs'>, services: ActionServices): Audit {
  const started = Date.now();
  return (outcome, detail) =>
    services.audit
      .record({ actor: request.presser.user, channel: request.presser.channel, source: request.source ?? 'slack', action: request.action, target: request.target, params: request.params, outcome, durationMs: Date.now() - started, ...(detail && { detail }) })
      .catch((err: unknown) => services.log.error({ err, action: request.action }, 'while writing the audit row of an action'));
}

export async function runAction(request: ActionRequest, services: ActionServices): Promise<ActionOutcome> {
  const { action, params, target: targetName, presser } = request;
  const audit = auditFor(request, services);

  const vetted = await vetAction(request, services, audit);
  if ('outcome' in vetted) return vetted.outcome;
  const { spec, target } = vetted;

  const key = createHash('sha256').update(JSON.stringify([request.messageKey ?? request.messageTs, action, targetName, sortedParams(params)])).digest('hex');
  // Claimed with a lease, run, and its outcome audited once; a run cut short is recorded as
  // interrupted (here at shutdown, or by any replica once its process is gone).
  const outcome = await services.actions.runOnce(
    { key, action, title: spec.title, target: targetName, params, startedBy: presser.user, ...(presser.channel && { channel: presser.channel }), ...(request.thread && { thread: request.thread }), source: request.source ?? 'slack' },
    // The executor (and its client library) is loaded on the first run of one of the kind's actions.
    async (ctx) => (await spec.executor()).run(target, params, ctx),
    request.io ?? SILENT_IO,
    audit,
  );
  countAction(action, outcome.kind);
  return outcome;
}

/**
 * Counted where each outcome is decided: a refusal or denial by the vet (the press handler's, or
 * runAction's own when the config changed in between), the rest by the run. The action id only
 * when the catalogue has it: a forged payload's text is never a label.
 */
function countAction(action: string, outcome: ActionOutcome['kind']): void {
  metrics.actionsTotal.inc({ action: findAction(action) ? action : 'unknown', outcome });
}

function sortedParams(params: ActionParams): [string, string | number][] {
  return Object.entries(params).sort(([a], [b]) => a.localeCompare(b));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
