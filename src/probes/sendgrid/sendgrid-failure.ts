// What a failed call to SendGrid's API was (no answer, an error status with SendGrid's messages, an
// answer that is not its JSON) and how a finding says it: one line for the title naming the path
// and status, and what to do about it for the fix, by status (401 key, 403 scope or IP, 429, 5xx).
import type { RequestFailure } from '../http/classify-error.ts';
import { snippet } from '../http/probe-support.ts';

export type SendgridFailure =
  | { type: 'request'; path: string; failure: RequestFailure }
  /** An error status; `error` is SendGrid's messages, or the start of the body when it is not SendGrid's envelope. */
  | { type: 'status'; path: string; status: number; statusText: string; error: string; retry?: string }
  | { type: 'malformed'; path: string; status: number; reason: string; body: string };

/** One line saying what went wrong with a call, for the title of a finding. */
export function describeSendgridFailure(f: SendgridFailure): string {
  switch (f.type) {
    case 'request':
      return f.failure.cancelled ? 'the probe was cancelled' : `${f.path}: ${f.failure.kind} (${f.failure.message})`;
    case 'status': {
      const head = `${f.path} answered HTTP ${f.status}${f.statusText ? ` ${f.statusText}` : ''}: ${f.error}`;
      return f.retry === undefined ? head : `${head} (${f.retry})`;
    }
    case 'malformed':
      return `${f.path} answered HTTP ${f.status} with something that is not SendGrid's JSON (${f.reason})${f.body ? `: ${snippet(f.body, 80)}` : ''}`;
  }
}

/** What to do about a failed call, for the fix of a finding; `scope` is the read scope the call needs. */
export function sendgridFailureFix(f: SendgridFailure, scope?: string): string {
  switch (f.type) {
    case 'request':
      return f.failure.fix;
    case 'status':
      if (f.status === 401) return 'SendGrid does not accept the API key (deleted, revoked or mistyped): create a key in SendGrid (Settings > API Keys) and put it where the target\'s apiKey comes from (SENDGRID_API_KEY).';
      if (f.status === 403) {
        return scope === undefined
          ? 'SendGrid knows the key but refuses this call: a missing scope, IP Access Management not listing the bot\'s address, or a suspended account (Settings > Account Details).'
          : `the key probably lacks the ${scope} scope (Settings > API Keys > Edit API Key), or IP Access Management does not list the bot's address.`;
      }
      if (f.status === 429) return 'SendGrid rate-limits this key: something else is calling the API with it in a loop, or the probe runs too often; wait for the reset and look for the caller that spends the quota.';
      if (f.status === 404) return 'no such path here: the target\'s url must be SendGrid\'s API base (https://api.sendgrid.com, or https://api.eu.sendgrid.com for EU subusers), with no path.';
      if (f.status >= 500) return 'SendGrid\'s API is failing: see https://status.sendgrid.com; if it says nothing, retry in a few minutes and open a support case with the time.';
      return 'read the error SendGrid gave; check the target\'s url and key.';
    case 'malformed':
      return 'something other than SendGrid answers at the target\'s url (a proxy, a captive portal, a login page), or the answer was cut off: check it with curl -H "Authorization: Bearer $SENDGRID_API_KEY" <url>/v3/scopes.';
  }
}
