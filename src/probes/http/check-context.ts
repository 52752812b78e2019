// What the http checks judge: one request's outcome and, for https, the certificate read on a
// connection of its own. Every check is a pure function of this, so all of them come from a
// single round trip to the server.
import type { RequestFailure } from './classify-error.ts';
import type { HttpResult } from './http-request.ts';
import type { PeerCertificate } from './peer-certificate.ts';
import { findingFor } from './probe-support.ts';

export const KIND = 'http';

/** The names of the http checks: a finding naming another is a type error. */
export type HttpCheckName = 'reachable' | 'status' | 'body' | 'latency' | 'certificate' | 'rate_limit';

export const finding = findingFor<HttpCheckName>(KIND);

/** Bodies are read this far and no further: enough for a health page and a body match. */
export const MAX_BODY_BYTES = 64 * 1024;

export type RequestOutcome = { ok: true; response: HttpResult } | { ok: false; failure: RequestFailure };

export type CertificateOutcome =
  | { ok: true; certificate: PeerCertificate }
  | { ok: false; message: string }
  /** The budget ran out before the TLS handshake finished. */
  | undefined;

export interface HttpCheckInput {
  timeoutMs: number;
  expectStatus?: readonly number[];
  bodyMatch?: string;
  tlsInsecure: boolean;
  /** The target's secrets: masked in any text taken from the answer before it is cut. */
  secrets: readonly string[];
}

/** What one run of the http kind found out, for the checks to judge. */
export interface HttpRun {
  /** The request's outcome: an answer, or the classified failure. */
  reached: RequestOutcome;
  /** The answer, when there was one. */
  response: HttpResult | undefined;
  /** The certificate, for https. */
  certificate: CertificateOutcome;
  https: boolean;
  input: HttpCheckInput;
  /** Where bodyMatch is configured, for its error messages (`targets.api.bodyMatch`). */
  bodyMatchKey: string;
  /** The target's URL as configured, and where (`targets.api.url`): a host that does not resolve is named with them. */
  url: string;
  urlKey: string;
}
