// How the webhook checks show an endpoint: its id and URL (origin and path only: a token in the
// query or path is not shown) and the events it listens to, cut to a few.
import { describeHttpEndpoint } from '../../http/describe-endpoint.ts';
import type { WebhookEndpoint } from '../stripe-objects.ts';

/** Event types shown before "+N more". */
const SHOWN_EVENTS = 6;

export function endpointUrl(e: WebhookEndpoint): string {
  return describeHttpEndpoint(e.url) || '(a URL that does not parse)';
}

export function eventList(types: readonly string[]): string {
  if (types.includes('*')) return 'all events (*)';
  if (types.length === 0) return 'no events';
  const shown = types.slice(0, SHOWN_EVENTS).join(', ');
  return types.length > SHOWN_EVENTS ? `${shown} +${types.length - SHOWN_EVENTS} more` : shown;
}

/** True when the endpoint receives events of this type. */
export function listensTo(e: WebhookEndpoint, type: string): boolean {
  return e.enabled_events.includes('*') || e.enabled_events.includes(type);
}
