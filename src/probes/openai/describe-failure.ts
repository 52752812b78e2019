// A failed call in words for a finding's title or detail: which call, what came back, and the
// request id OpenAI support asks for, before the server's message, so a line cut for Slack keeps it
// ("POST /chat/completions: HTTP 503 (overloaded), request id req_...: ...").
import { snippet } from '../http/probe-support.ts';
import type { CallFailure } from './check-context.ts';

export function describeFailure(f: CallFailure, max = 160): string {
  switch (f.type) {
    case 'http': {
      const code = f.code ?? f.errorType;
      return `${f.call}: HTTP ${f.status}${code ? ` (${code})` : ''}${requestIdWords(f.requestId)}: ${snippet(f.message, max)}`;
    }
    case 'malformed':
      return `${f.call}: ${f.status === undefined ? 'answered' : `HTTP ${f.status}`} but not the API's JSON (${f.contentType || 'no content-type'})${requestIdWords(f.requestId)}: ${snippet(f.body, max)}`;
    case 'timeout':
      return `${f.call}: no answer within ${f.timeoutMs} ms`;
    case 'cancelled':
      return `${f.call}: the probe was cancelled before it answered`;
    case 'network':
      return `${f.call}: ${f.kind} (${snippet(f.message, max)})`;
  }
}

/** ", request id req_123", or "" without one. */
export function requestIdWords(id: string | undefined): string {
  return id ? `, request id ${id}` : '';
}
