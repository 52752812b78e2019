// What the checks of the JSON-API kinds (prometheus, alertmanager) receive, and the `unknown`
// finding of a check whose call failed: what happened, and what to look at.
import type { Finding } from '../../report.ts';
import type { ApiClient, ApiFailure } from './json-api.ts';
import { apiFailureFix, describeApiFailure } from './json-api.ts';
import { findingFor } from './probe-support.ts';

export interface ApiCheckContext {
  api: ApiClient;
  timeoutMs: number;
  now: Date;
}

export function failedCall(kind: string, check: string, label: string, failure: ApiFailure): Finding {
  return findingFor(kind)(check, 'unknown', `${label}: could not check (${describeApiFailure(failure)})`, { detail: apiFailureFix(failure) });
}
