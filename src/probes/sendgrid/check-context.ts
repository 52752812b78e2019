// Shared by the sendgrid checks: the kind's finding helper typed by its check names, the context
// every check receives (the client, the key's scopes, the target's settings), and the unknown
// finding of a check the key has no scope for.
import type { Finding } from '../../report.ts';
import { findingFor } from '../finding-for.ts';
import type { SendgridApi } from './sendgrid-api.ts';
import { describeSendgridFailure, sendgridFailureFix, type SendgridFailure } from './sendgrid-failure.ts';
import type { StatsWindow } from './stats-window.ts';

export const KIND = 'sendgrid';

/** The names of the sendgrid checks: a finding naming another is a type error. */
export type SendgridCheckName = 'auth' | 'domain_auth' | 'delivery' | 'spam_reports' | 'reputation';

export const finding = findingFor<SendgridCheckName>(KIND);

/** The scope sending needs (POST /v3/mail/send). */
export const SEND_SCOPE = 'mail.send';

/** The read scope each reading check needs, in the order of the report. */
export const READ_SCOPES: ReadonlyArray<{ check: SendgridCheckName; scope: string; what: string }> = [
  { check: 'domain_auth', scope: 'whitelabel.read', what: 'Sender Authentication: Read Access' },
  { check: 'delivery', scope: 'stats.read', what: 'Stats: Read Access' },
  { check: 'spam_reports', scope: 'stats.read', what: 'Stats: Read Access' },
  { check: 'reputation', scope: 'user.account.read', what: 'User Account: Read Access' },
];

export interface SendgridContext {
  api: SendgridApi;
  /** The key's scopes from /v3/scopes; undefined when that call failed (the checks call anyway). */
  scopes: ReadonlySet<string> | undefined;
  /** The domain the application sends from, lower case, when configured. */
  sendingDomain: string | undefined;
  /** Requests (delivered messages for spam reports) below which the rates are not judged. */
  minRequests: number;
  /** Where the target's keys are, for fixes: `targets.mail`. */
  at: string;
  /** The day stats of yesterday and today (UTC), read once for the two checks that judge them. */
  stats(): Promise<StatsWindow>;
}

/** The `unknown` finding of a check whose read scope the key lacks, or undefined when it has it (or the scopes are unknown). */
export function lackingScope(ctx: SendgridContext, check: SendgridCheckName, label: string): Finding | undefined {
  const need = READ_SCOPES.find((r) => r.check === check);
  if (!need || ctx.scopes === undefined || ctx.scopes.has(need.scope)) return undefined;
  return finding(check, 'unknown', `${label}: could not check (the API key lacks the ${need.scope} scope)`, {
    fix: `give the key the ${need.scope} scope (SendGrid: Settings > API Keys > Edit API Key > ${need.what}), or give the probe a key that has it in ${ctx.at}.apiKey; until then this check cannot see anything.`,
  });
}

/** The `unknown` finding of a check whose call failed: what happened (path, status), and what to do. */
export function failedCall(check: SendgridCheckName, label: string, failure: SendgridFailure, scope?: string): Finding {
  return finding(check, 'unknown', `${label}: could not check (${describeSendgridFailure(failure)})`, { fix: sendgridFailureFix(failure, scope) });
}
