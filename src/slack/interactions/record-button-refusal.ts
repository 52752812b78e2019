// A press refused before any handler (a value the bot did not sign, one expired, or one of the wrong
// shape), said the same way by every transport: logged, audited under the action's own name, and
// the words for the presser returned for the transport to deliver its own way.
import type { Logger } from '../../logger.ts';
import type { Message } from '../../message/message.ts';
import type { Rejected } from '../../security/value-signer.ts';
import type { AuditEntry, AuditTrail } from '../../store/audit-log.ts';
import { buttonRefusalMessage } from '../button-refusal-message.ts';
import { BOT_INTERACTIONS } from './bot-interactions.ts';

/** Why a press is refused: its signature (the signer's reason), or its decoded value. */
export type ButtonRefusal = Pick<Rejected, 'reason'> | { reason: 'invalid'; problem: string };

export async function recordButtonRefusal(r: { id: string; user: string; channel?: string | undefined; refusal: ButtonRefusal; source: AuditEntry['source']; audit: AuditTrail; log: Logger }): Promise<Message> {
  const { refusal } = r;
  const fresh = BOT_INTERACTIONS.fresh(r.id);
  const message = buttonRefusalMessage(refusal.reason === 'invalid' ? { kind: 'invalid', problem: refusal.problem } : { kind: refusal.reason === 'expired' ? 'expired' : 'not-signed', fresh });
  const detail = refusal.reason === 'invalid' ? refusal.problem : `button value ${refusal.reason}`;
  r.log.warn({ intent: r.id.slice(0, 100), user: r.user, reason: refusal.reason }, refusal.reason === 'invalid' ? 'refused a button value of the wrong shape' : 'refused a button value the bot did not sign');
  await r.audit
    // A remedy's refusal is audited under the action's own name, like its runs and denials.
    .record({ actor: r.user, ...(r.channel && { channel: r.channel }), source: r.source, action: BOT_INTERACTIONS.auditAs(r.id).slice(0, 100) || '(no action id)', outcome: 'refused', detail: detail.slice(0, 500) })
    .catch((err: unknown) => r.log.error({ err }, 'while auditing a refused button'));
  return message;
}
