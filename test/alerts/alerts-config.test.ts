// The alerts: section of chatops.yml: routes of label matchers to a channel and the targets
// diagnosed; every problem named at its key with what is accepted.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { chooseRoute } from '../../src/alerts/alert-service.ts';

const targets = { 'main-db': { kind: 'postgres', url: 'postgres://localhost/app' } };
const problemsOf = (alerts: unknown) => parseConfig({ targets, alerts }, 'f.yml', {}, process.cwd(), 'collect').problems.map((p) => `${p.path}: ${p.message}`);

describe('alerts: in chatops.yml', () => {
  it('reads the minimal form: a route per label match, a catch-all route without match, a flap window', () => {
    const config = parseConfig({
      targets,
      alerts: { flapWindow: '30m', routes: [{ match: { severity: 'critical', code: 500 }, channel: 'C0ALERTS', targets: ['main-db'] }, { channel: 'C0REST' }] },
    }, 'f.yml', {});
    expect(config.alerts).toEqual({
      flapWindowMs: 30 * 60_000,
      routes: [{ match: { severity: 'critical', code: '500' }, channel: 'C0ALERTS', targets: ['main-db'], autoResolve: false }, { match: {}, channel: 'C0REST', targets: [], autoResolve: false }],
    });
    expect(chooseRoute(config.alerts, { severity: 'critical', code: '500', alertname: 'X' })?.index).toBe(0);
    expect(chooseRoute(config.alerts, { severity: 'critical' })?.index).toBe(1);
    expect(chooseRoute({ ...config.alerts!, routes: config.alerts!.routes.slice(0, 1) }, { severity: 'warning' })).toBeUndefined();
  });

  it('defaults the flap window to 1 h and takes no section at all', () => {
    expect(parseConfig({ targets, alerts: { routes: [{ channel: 'C0A1' }] } }, 'f.yml', {}).alerts?.flapWindowMs).toBe(3_600_000);
    expect(parseConfig({ targets }, 'f.yml', {}).alerts).toBeUndefined();
  });

  it('names unknown keys with the accepted ones, a bad channel, a target not configured and a bad flap window', () => {
    expect(problemsOf({ routes: [{ match: { severity: 'critical' }, channel: 'C0ALERTS', silence: '1h' }] })).toEqual([
      'alerts.routes.0: unknown key silence; accepted keys: match, channel, targets, declare, declareAfter, autoResolve, silenceVia',
    ]);
    expect(problemsOf({ route: [] })).toEqual(['alerts: unknown key route; accepted keys: routes, flapWindow']);
    expect(problemsOf({ routes: [{ channel: '#alerts' }] })).toEqual([
      'alerts.routes.0.channel: a Slack channel id like C0123ABCD (channel details -> bottom of the About tab) (got "#alerts")',
    ]);
    expect(problemsOf({ routes: [{ channel: 'C0ALERTS', targets: ['nosuch'] }] })).toEqual(['alerts.routes.0.targets: no target named "nosuch"; configured: main-db']);
    expect(problemsOf({ flapWindow: 'soon', routes: [] })).toEqual(['alerts.flapWindow: not a duration like 30s, 15m, 1h, 1h30m, 1d or 1w (got "soon")']);
    expect(problemsOf({ routes: [{ channel: 'C0ALERTS', match: { 'bad-label': 'x' } }] })[0]).toBe('alerts.routes.0.match.bad-label: not a label name: letters, digits and _, not starting with a digit (got "bad-label")');
  });

  it('a route that declares needs an incidents: section (its channel and ladder)', () => {
    expect(problemsOf({ routes: [{ channel: 'C0ALERTS', declare: 'sev2' }] })).toEqual(['alerts.routes.0.declare: declares incidents, but there is no incidents: section (its channel and ladder); add one, or remove declare']);
  });

  it('stops the bot\'s start on a problem in alerts:, rather than post alerts to the wrong place', () => {
    expect(() => parseConfig({ targets, alerts: { routes: [{ channel: 'C0ALERTS', targets: ['nosuch'] }] } }, 'f.yml', {}, process.cwd(), 'start')).toThrow(/alerts\.routes\.0\.targets: no target named "nosuch"/);
  });
});
