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
  /** The target's base URL as configured, and where (`targets.prom.url`): a host that does not resolve is named with them. */
  url: string;
  urlKey: string;
}

export function failedCall(kind: string, check: string, label: string, failure: ApiFailure): Finding {
  const fix = apiFailureFix(failure);
  return findingFor(kind)(check, 'unknown', `${label}: could not check (${describeApiFailure(failure)})`, fix ? { fix } : {});
}
