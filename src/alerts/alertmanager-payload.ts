// Alertmanager's webhook body (version 4), read as untrusted input: the shape is checked field by
// field with the first problem named (the sender gets it in a 400), and every text is bounded
// before anything stores or shows it. Nothing here prints a value from the body.
import { createHash } from 'node:crypto';

export type AlertStatus = 'firing' | 'resolved';

export interface ReceivedAlert {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO 8601. */
  startsAt: string;
  /** ISO 8601; only for a resolved alert (a firing one's is Alertmanager's estimate, or year 1). */
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertNotification {
  receiver: string;
  status: AlertStatus;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  /** Alerts Alertmanager left out (max_alerts). */
  truncatedAlerts: number;
  alerts: ReceivedAlert[];
}

/** Bounds: what a message can show, and what a row may hold, of an untrusted body. */
export const LIMITS = {
  groupKey: 2_000,
  receiver: 200,
  labels: 64,
  labelName: 100,
  labelValue: 500,
  annotations: 32,
  annotation: 2_000,
  url: 1_000,
  alerts: 1_000,
} as const;

export class PayloadError extends Error {}

/** The notification, or a PayloadError naming the first thing that is not the version 4 shape. */
export function parseAlertmanagerPayload(body: unknown): AlertNotification {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PayloadError('the body must be a JSON object (Alertmanager webhook, version 4)');
  const b = body as Record<string, unknown>;
  if (b.version !== '4') throw new PayloadError(`version must be "4" (Alertmanager's webhook payload version 4), got ${describe(b.version)}`);
  const groupKey = requiredString(b.groupKey, 'groupKey');
  if (groupKey.length > LIMITS.groupKey) throw new PayloadError(`groupKey is longer than ${LIMITS.groupKey} characters`);
  const status = alertStatus(b.status, 'status');
  if (!Array.isArray(b.alerts)) throw new PayloadError(`alerts must be an array, got ${describe(b.alerts)}`);
  if (b.alerts.length === 0) throw new PayloadError('alerts is empty: a notification names at least one alert');
  if (b.alerts.length > LIMITS.alerts) throw new PayloadError(`alerts holds ${b.alerts.length} alerts; at most ${LIMITS.alerts} are taken (set max_alerts on the receiver)`);
  const receiver = typeof b.receiver === 'string' ? b.receiver.slice(0, LIMITS.receiver) : '';
  const alerts = b.alerts.map((a, i) => parseAlert(a, i));
  // Alertmanager says "resolved" only when every alert is: a body that says otherwise is not its.
  const anyFiring = alerts.some((a) => a.status === 'firing');
  if (status === 'resolved' && anyFiring) throw new PayloadError('status is "resolved" but some alerts are firing');
  if (status === 'firing' && !anyFiring) throw new PayloadError('status is "firing" but every alert is resolved');
  const truncated = typeof b.truncatedAlerts === 'number' && Number.isInteger(b.truncatedAlerts) && b.truncatedAlerts > 0 ? b.truncatedAlerts : 0;
  const externalURL = typeof b.externalURL === 'string' && b.externalURL !== '' ? b.externalURL.slice(0, LIMITS.url) : undefined;
  return {
    receiver,
    status,
    groupKey,
    groupLabels: labelMap(b.groupLabels, 'groupLabels', LIMITS.labels),
    commonLabels: labelMap(b.commonLabels, 'commonLabels', LIMITS.labels),
    commonAnnotations: labelMap(b.commonAnnotations, 'commonAnnotations', LIMITS.annotations, LIMITS.annotation),
    ...(externalURL && { externalURL }),
    truncatedAlerts: truncated,
    alerts,
  };
}

/**
 * What makes two notifications the same: the group, its status and its alert set (each alert's
 * fingerprint, start and end). A retry, a second Alertmanager sending the same group, a second
 * replica receiving it: all have this key.
 */
export function notificationKey(n: AlertNotification): string {
  const set = n.alerts.map((a) => `${a.fingerprint}|${a.startsAt}|${a.endsAt ?? ''}`).sort();
  return createHash('sha256').update([n.receiver, n.groupKey, n.status, ...set].join('\n')).digest('hex');
}

/** The group's identity: its receiver and group key. */
export function groupKeyHash(n: Pick<AlertNotification, 'receiver' | 'groupKey'>): string {
  return createHash('sha256').update(`${n.receiver}\n${n.groupKey}`).digest('hex');
}

function parseAlert(raw: unknown, i: number): ReceivedAlert {
  const at = `alerts[${i}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PayloadError(`${at} must be an object, got ${describe(raw)}`);
  const a = raw as Record<string, unknown>;
  const status = alertStatus(a.status, `${at}.status`);
  const labels = labelMap(a.labels, `${at}.labels`, LIMITS.labels);
  const annotations = labelMap(a.annotations ?? {}, `${at}.annotations`, LIMITS.annotations, LIMITS.annotation);
  const startsAt = time(a.startsAt, `${at}.startsAt`);
  if (startsAt === undefined) throw new PayloadError(`${at}.startsAt must be an RFC 3339 time, got year 1`);
  const endsAt = a.endsAt === undefined ? undefined : time(a.endsAt, `${at}.endsAt`);
  if (status === 'resolved' && endsAt === undefined) throw new PayloadError(`${at}.endsAt must be the time a resolved alert ended`);
  // Alertmanager has sent fingerprints since 0.19; for an older one, the same hash of the labels.
  const fingerprint = typeof a.fingerprint === 'string' && /^[0-9a-zA-Z]{1,64}$/.test(a.fingerprint) ? a.fingerprint : labelsFingerprint(labels);
  const generatorURL = typeof a.generatorURL === 'string' && a.generatorURL !== '' ? a.generatorURL.slice(0, LIMITS.url) : undefined;
  return {
    fingerprint,
    status,
    labels,
    annotations,
    startsAt,
    ...(status === 'resolved' && endsAt !== undefined && { endsAt }),
    ...(generatorURL && { generatorURL }),
  };
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new PayloadError(`${name} is missing: ${value === undefined ? 'not in the body' : `got ${describe(value)}`}`);
  return value;
}

function alertStatus(value: unknown, name: string): AlertStatus {
  if (value === 'firing' || value === 'resolved') return value;
  throw new PayloadError(`${name} must be "firing" or "resolved", got ${describe(value)}`);
}

/** An RFC 3339 time as ISO 8601 (millisecond precision); undefined for Go's zero time (year 1). */
function time(value: unknown, name: string): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    throw new PayloadError(`${name} must be an RFC 3339 time like 2026-12-02T03:12:00Z, got ${describe(value)}`);
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new PayloadError(`${name} is not a valid time`);
  if (new Date(ms).getUTCFullYear() <= 1) return undefined;
  return new Date(ms).toISOString();
}

/** A mapping of strings (labels, annotations): counted and cut to the bounds. */
function labelMap(value: unknown, name: string, maxEntries: number, maxValue: number = LIMITS.labelValue): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new PayloadError(`${name} must be an object of strings, got ${describe(value)}`);
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new PayloadError(`${name} must be an object of strings; a value is ${describe(v)}`);
    // Beyond the bounds a label is not shown; the alert's identity is its fingerprint.
    if (++n > maxEntries || k.length > LIMITS.labelName) continue;
    out[k] = v.length > maxValue ? `${v.slice(0, maxValue - 1)}…` : v;
  }
  return out;
}

function labelsFingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels).sort().map((k) => `${k}\u00ff${labels[k]}`).join('\u00ff');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A value's type in words, never the value: a body may hold anything. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 20 && /^[\w.-]*$/.test(value) ? JSON.stringify(value) : 'a string';
  return `a ${typeof value}`;
}
