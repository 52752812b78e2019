// The alert group's message as each transport shows it (Slack's Block Kit and the terminal), in
// golden files: a group Alertmanager cut short (max_alerts) says how many alerts it did not list,
// in the count, the title and at the end of the list, so nobody takes the list for complete; a
// flapping group that declared an incident says how often it fired again.
import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../src/alerts/alert-message.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { mergeNotification, unlistedAlerts } from '../../src/alerts/merge-alerts.ts';
import { plainText } from '../../src/message/message.ts';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { expectGoldenBoth } from '../render/render-both.ts';
import { errorRateAlert, errorRateGroup } from './alertmanager-payloads.ts';

const at = (min: number) => new Date(Date.UTC(2026, 11, 2, 3, min)).toISOString();

/** The group as the store keeps it after these notifications, in order. */
function groupOf(...payloads: Array<ReturnType<typeof errorRateGroup>>) {
  let state: ReturnType<typeof mergeNotification> | undefined;
  for (const p of payloads) state = mergeNotification(state, parseAlertmanagerPayload(p));
  const alerts = Object.values(state!.alerts);
  return {
    status: state!.status,
    alerts,
    unlisted: unlistedAlerts(state!),
    commonLabels: { alertname: 'HighErrorRate', job: 'api', namespace: 'shop', severity: 'warning' },
    firingSince: new Date(alerts.map((a) => a.startsAt).sort()[0]!),
    resolvedAt: null,
    flaps: 0,
    externalUrl: 'http://alertmanager-main-0:9093',
    targets: [],
    id: 42,
    episode: 1,
  };
}

const text = (g: Parameters<typeof alertMessage>[0]) => renderTerminal(alertMessage(g), { color: false });

describe('golden files: the alert message', () => {
  it('a notification cut by max_alerts: 3 listed, "+40 not listed" in the count and at the end of the list, the title counting "3+"', () => {
    const p = errorRateGroup([errorRateAlert('checkout', at(0), 'a000000000000001'), errorRateAlert('cart', at(1), 'a000000000000002'), errorRateAlert('search', at(2), 'a000000000000003')]);
    const g = groupOf({ ...p, truncatedAlerts: 40 });
    expect(g.unlisted).toBe(40);
    expectGoldenBoth('alert-truncated', alertMessage(g));
    const shown = text(g);
    expect(shown).toContain('Firing: HighErrorRate (3+)');
    expect(shown).toContain('3 firing, +40 not listed');
    expect(shown).toContain('+40 not listed');
  });

  it('a single listed alert of a cut notification is listed, with the count of the others', () => {
    const g = groupOf({ ...errorRateGroup([errorRateAlert('checkout', at(0), 'a000000000000011')]), truncatedAlerts: 2 });
    expectGoldenBoth('alert-truncated-one-listed', alertMessage(g));
    expect(text(g)).toContain('Firing: HighErrorRate (1+)');
    expect(plainText(alertMessage(g).notification)).toContain('(1+)');
  });

  it('a later notification that lists every alert takes the "not listed" away; an older cut one does not bring it back', () => {
    const two = [errorRateAlert('checkout', at(0), 'a000000000000021'), errorRateAlert('cart', at(1), 'a000000000000022')];
    const cut = { ...errorRateGroup(two), truncatedAlerts: 5 };
    const whole = errorRateGroup([...two, errorRateAlert('search', at(5), 'a000000000000023')]);
    const g = groupOf(cut, whole, cut);
    expect(g.unlisted).toBe(0);
    expect(text(g)).not.toContain('not listed');
    expect(text(g)).toContain('Firing: HighErrorRate (3)');
  });

  it('a flapping group that declared an incident: the flap count, the incident', () => {
    const p = errorRateGroup([errorRateAlert('checkout', at(20), 'a000000000000031')]);
    const g = { ...groupOf(p), flaps: 2, incidentId: 7, incidentEpisode: 1 };
    expectGoldenBoth('alert-flapping-incident', alertMessage(g));
    const shown = text(g);
    expect(shown).toContain('fired again 2 times after resolving');
    expect(shown).toContain('Declared incident INC-7');
  });
});
