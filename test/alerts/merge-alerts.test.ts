// Notifications in any order: each alert keeps its latest state by its own times, so a late older
// notification never turns a resolved alert or group back to firing; a strictly newer notification
// drops the alerts that have left the group.
import { describe, expect, it } from 'vitest';
import { parseAlertmanagerPayload, notificationKey } from '../../src/alerts/alertmanager-payload.ts';
import { mergeNotification } from '../../src/alerts/merge-alerts.ts';
import { errorRateAlert, errorRateGroup, postgresDownFiring } from './alertmanager-payloads.ts';

const n = (alerts: Parameters<typeof errorRateGroup>[0]) => parseAlertmanagerPayload(errorRateGroup(alerts));
const a = (start: string, fp: string, end?: string) => errorRateAlert('api', start, fp, end);

describe('merging notifications', () => {
  it('keeps a resolved alert resolved when its older firing arrives late, in every order', () => {
    const firing = n([a('2026-12-02T03:00:00Z', 'f1')]);
    const resolved = n([a('2026-12-02T03:00:00Z', 'f1', '2026-12-02T03:10:00Z')]);
    const inOrder = mergeNotification(mergeNotification(undefined, firing), resolved);
    const late = mergeNotification(inOrder, firing);
    expect(late.status).toBe('resolved');
    expect(late.changed).toBe(false);
    expect(mergeNotification(mergeNotification(undefined, resolved), firing).status).toBe('resolved');
  });

  it('takes a later firing of the same alert (a new start) over its resolution', () => {
    const resolved = mergeNotification(undefined, n([a('2026-12-02T03:00:00Z', 'f1', '2026-12-02T03:10:00Z')]));
    const again = mergeNotification(resolved, n([a('2026-12-02T03:20:00Z', 'f1')]));
    expect(again.status).toBe('firing');
    expect(again.alerts.f1!.startsAt).toBe('2026-12-02T03:20:00.000Z');
  });

  it('drops an alert a newer notification no longer lists, and keeps one an older notification does not list yet', () => {
    const both = mergeNotification(undefined, n([a('2026-12-02T03:00:00Z', 'f1'), a('2026-12-02T03:05:00Z', 'f2')]));
    expect(Object.keys(mergeNotification(both, n([a('2026-12-02T03:00:00Z', 'f1')])).alerts).sort()).toEqual(['f1', 'f2']);
    const newer = mergeNotification(both, n([a('2026-12-02T03:00:00Z', 'f1'), a('2026-12-02T03:07:00Z', 'f3')]));
    expect(Object.keys(newer.alerts).sort()).toEqual(['f1', 'f3']);
  });
});

describe('late and cut notifications', () => {
  it('a late older notification does not bring back an alert the group no longer has, nor turn it firing', () => {
    // N1: A firing, C resolved at 03:06; N2: A resolved at 03:29 (C dropped); then a late retry of
    // an earlier one: A and C firing.
    const n1 = mergeNotification(undefined, n([a('2026-12-02T03:00:00Z', 'A'), a('2026-12-02T03:03:00Z', 'C', '2026-12-02T03:06:00Z')]));
    const n2 = mergeNotification(n1, n([a('2026-12-02T03:00:00Z', 'A', '2026-12-02T03:29:00Z')]));
    expect(n2.status).toBe('resolved');
    expect(Object.keys(n2.alerts)).toEqual(['A']);
    const late = mergeNotification(n2, n([a('2026-12-02T03:00:00Z', 'A'), a('2026-12-02T03:03:00Z', 'C')]));
    expect(late.status).toBe('resolved');
    expect(Object.keys(late.alerts)).toEqual(['A']);
    expect(late.changed).toBe(false);
  });

  it('a notification cut to max_alerts drops no alert and does not say the group resolved', () => {
    const firing = mergeNotification(undefined, n([a('2026-12-02T03:00:00Z', 'f1'), a('2026-12-02T03:01:00Z', 'f2')]));
    const cut = { ...n([a('2026-12-02T03:00:00Z', 'f1', '2026-12-02T03:10:00Z')]), truncatedAlerts: 30 };
    const merged = mergeNotification(firing, cut);
    expect(Object.keys(merged.alerts).sort()).toEqual(['f1', 'f2']);
    expect(merged.status).toBe('firing');
    const onlyResolvedListed = mergeNotification(undefined, { ...n([a('2026-12-02T03:00:00Z', 'f9', '2026-12-02T03:10:00Z')]), truncatedAlerts: 49 });
    expect(onlyResolvedListed.status).toBe('firing');
  });
});

describe('the notification key', () => {
  it('is the same for a retry and for a second Alertmanager, and differs with the status or the alert set', () => {
    const body = postgresDownFiring();
    const key = notificationKey(parseAlertmanagerPayload(body));
    expect(notificationKey(parseAlertmanagerPayload(JSON.parse(JSON.stringify(body))))).toBe(key);
    const resolved = { ...body, status: 'resolved', alerts: body.alerts.map((x) => ({ ...x, status: 'resolved', endsAt: '2026-12-02T04:00:00Z' })) };
    expect(notificationKey(parseAlertmanagerPayload(resolved))).not.toBe(key);
  });

  it('bounds what it keeps of an untrusted body', () => {
    const body = postgresDownFiring();
    body.alerts[0]!.labels.huge = 'y'.repeat(10_000);
    body.alerts[0]!.annotations.description = 'z'.repeat(50_000);
    const parsed = parseAlertmanagerPayload(body);
    expect(parsed.alerts[0]!.labels.huge!.length).toBeLessThanOrEqual(500);
    expect(parsed.alerts[0]!.annotations.description!.length).toBeLessThanOrEqual(2_000);
  });
});
