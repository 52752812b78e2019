// An intent as a Slack button carries it: an action id naming the intent, and a value holding its
// arguments (signed on the way out by sealMessage, decoded and checked on the way in).
import type { Intent } from '../message/intent.ts';

export interface EncodedIntent {
  /** Unique within a block after the renderer appends `:<n>` to repeats. */
  actionId: string;
  value: string;
}

export function encodeIntent(intent: Intent): EncodedIntent {
  switch (intent.intent) {
    case 'remedy':
      return { actionId: `remedy:${intent.action}`, value: JSON.stringify({ action: intent.action, params: intent.params, target: intent.target }) };
    case 'runbook.open':
      return { actionId: 'runbook:open', value: intent.runbook };
    case 'incident.declare':
      return { actionId: 'incident:declare', value: JSON.stringify({ title: intent.title, report: intent.report }) };
    case 'incident.ack':
      return { actionId: 'incident:ack', value: String(intent.incident) };
    case 'incident.escalate':
      return { actionId: 'incident:escalate', value: String(intent.incident) };
    case 'incident.resolve':
      return { actionId: 'incident:resolve', value: String(intent.incident) };
    case 'digest.details':
      return { actionId: 'digest:details', value: String(intent.report) };
    case 'confirm.run':
      return { actionId: 'confirm:run', value: intent.confirmation };
    case 'confirm.cancel':
      return { actionId: 'confirm:cancel', value: intent.confirmation };
  }
}
