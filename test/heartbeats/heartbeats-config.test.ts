// The heartbeats: section of chatops.yml: each heartbeat's every, grace and channel, every problem
// named at its key with what is accepted.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';

const problemsOf = (heartbeats: unknown) => parseConfig({ heartbeats }, 'f.yml', {}, process.cwd(), 'collect').problems.map((p) => `${p.path}: ${p.message}`);

describe('heartbeats: in chatops.yml', () => {
  it('reads the minimal form of the issue, and takes no section at all', () => {
    const config = parseConfig({ heartbeats: { 'nightly-backup': { every: '24h', grace: '1h', channel: 'C0ALERTS' }, watchdog: { every: '1m', grace: '0s', channel: 'G0OPS' } } }, 'f.yml', {});
    expect(config.heartbeats).toEqual([
      { name: 'nightly-backup', everyMs: 24 * 3_600_000, graceMs: 3_600_000, channel: 'C0ALERTS' },
      { name: 'watchdog', everyMs: 60_000, graceMs: 0, channel: 'G0OPS' },
    ]);
    expect(parseConfig({}, 'f.yml', {}).heartbeats).toBeUndefined();
  });

  it('takes declare: sev1..sev4 with an incidents: section; without one, or another value, it is a problem', () => {
    const withIncidents = parseConfig({ incidents: { channel: 'C0INC', ladder: [{ after: '0m', notify: ['U0LEAD'] }] }, heartbeats: { backup: { every: '1h', grace: '5m', channel: 'C0ALERTS', declare: 'sev2' } } }, 'f.yml', {}, process.cwd(), 'collect');
    expect(withIncidents.problems.filter((p) => p.path.startsWith('heartbeats'))).toEqual([]);
    expect(withIncidents.heartbeats).toEqual([{ name: 'backup', everyMs: 3_600_000, graceMs: 300_000, channel: 'C0ALERTS', declare: 2 }]);
    expect(problemsOf({ backup: { every: '1h', grace: '5m', channel: 'C0ALERTS', declare: 'sev2' } })).toEqual(['heartbeats.backup.declare: declares incidents, but there is no incidents: section (its channel and ladder); add one, or remove declare']);
    expect(problemsOf({ backup: { every: '1h', grace: '5m', channel: 'C0ALERTS', declare: 'critical' } })).toEqual(['heartbeats.backup.declare: not a severity; accepted: sev1, sev2, sev3, sev4 (got "critical")']);
  });

  it('refuses any unknown key, naming the accepted ones', () => {
    expect(problemsOf({ backup: { every: '1h', grace: '5m', channel: 'C0ALERTS', evry: '1h', chanel: 'x' } })).toEqual(['heartbeats.backup: unknown keys evry, chanel; accepted keys: every, grace, channel, declare']);
  });

  it('names a bad name, a duration below 10s or not a duration, a bad channel and what is missing', () => {
    expect(problemsOf({ 'Nightly Backup': { every: '1h', grace: '5m', channel: 'C0ALERTS' } })).toEqual([
      'heartbeats.Nightly Backup: a heartbeat name must be lowercase letters, digits, - or _ (at most 63), as it is the end of its URL /heartbeats/<name> (got "Nightly Backup")',
    ]);
    expect(problemsOf({ fast: { every: '5s', grace: '1s', channel: 'C0ALERTS' } })).toEqual([
      'heartbeats.fast.every: at least 10s (a job beating more often is better watched by its own metrics) (got "5s")',
    ]);
    expect(problemsOf({ backup: { every: 'daily', grace: 'a bit', channel: '#ops' } })).toEqual([
      'heartbeats.backup.every: not a duration like 30s, 15m, 1h, 1h30m, 1d or 1w (got "daily")',
      'heartbeats.backup.grace: not a duration like 30s, 15m, 1h, 1h30m, 1d or 1w (got "a bit")',
      'heartbeats.backup.channel: a Slack channel id like C0123ABCD (channel details -> bottom of the About tab) (got "#ops")',
    ]);
    expect(problemsOf({ backup: { every: '1h' } })).toEqual([
      'heartbeats.backup.grace: grace is required: a duration like 30s, 15m, 1h, 1h30m, 1d or 1w',
      'heartbeats.backup.channel: channel is required: a Slack channel id like C0123ABCD',
    ]);
    expect(problemsOf({ backup: '24h' })).toEqual(['heartbeats.backup: must be a mapping with keys every, grace, channel, declare (got "24h")']);
    expect(problemsOf(['backup'])).toEqual(['heartbeats: must be a mapping of heartbeat names to { every, grace, channel, declare } (got a list of 1)']);
  });

  it('stops the bot on a bad heartbeat (strict) and keeps the good ones when collecting', () => {
    expect(() => parseConfig({ heartbeats: { backup: { every: '1h', grace: '5m', channel: 'nope' } } }, 'f.yml', {})).toThrow(/heartbeats\.backup\.channel/);
    const config = parseConfig({ heartbeats: { backup: { every: '1h', grace: '5m', channel: 'nope' }, watchdog: { every: '1m', grace: '1m', channel: 'C0OPS' } } }, 'f.yml', {}, process.cwd(), 'collect');
    expect(config.heartbeats?.map((h) => h.name)).toEqual(['watchdog']);
  });

  it('names an unset variable once, not again as a bad value', () => {
    const problems = parseConfig({ heartbeats: { backup: { every: '1h', grace: '5m', channel: '${OPS_CHANNEL}' } } }, 'f.yml', {}, process.cwd(), 'collect').problems;
    expect(problems.map((p) => p.path)).toEqual(['heartbeats.backup.channel']);
    expect(problems[0]!.message).toContain('OPS_CHANNEL');
  });
});
