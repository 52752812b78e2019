// The sendgrid target's keys as chatops.yml gives them: the API key from the environment, the API
// base without a path, the sending domain and the minimum of requests checked, each bad value
// named by its key with what is accepted.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';

const KEY = 'SG.config-test.abcdefghijklmnopqrstuvwxyz0123456789';

function problems(target: Record<string, unknown>): string {
  try {
    const config = parseConfig({ targets: { mail: { kind: 'sendgrid', apiKey: '${SENDGRID_API_KEY}', ...target } } }, 'chatops.yml', { SENDGRID_API_KEY: KEY });
    return config.targets.map((t) => t.configProblem ?? '').join('\n');
  } catch (e) {
    return (e as Error).message;
  }
}

describe('sendgrid target config', () => {
  it('the key from SENDGRID_API_KEY, the default API base, thresholds of both rate checks overridable', () => {
    const config = parseConfig(
      { targets: { mail: { kind: 'sendgrid', apiKey: '${SENDGRID_API_KEY}', sendingDomain: 'Mail.Example.com.', minRequests: 500, thresholds: { delivery: { warn: 3 }, spam_reports: { warn: 0.05, crit: 0.2 }, reputation: { crit: 70 } } } } },
      'chatops.yml',
      { SENDGRID_API_KEY: KEY },
    );
    expect(config.targets[0]).toMatchObject({
      kind: 'sendgrid',
      apiKey: KEY,
      url: 'https://api.sendgrid.com',
      sendingDomain: 'mail.example.com',
      minRequests: 500,
      thresholds: { delivery: { warn: 3, crit: 10 }, spam_reports: { warn: 0.05, crit: 0.2 }, reputation: { warn: 95, crit: 70 } },
    });
    expect(config.targets[0]!.configProblem).toBeUndefined();
  });

  it('the EU API base is accepted', () => {
    expect(problems({ url: 'https://api.eu.sendgrid.com' })).toBe('');
  });

  it('a url with a path is a problem naming the key and what is accepted', () => {
    const p = problems({ url: 'https://api.sendgrid.com/v3' });
    expect(p).toContain('targets.mail.url');
    expect(p).toContain('scheme, host and port only, like https://api.sendgrid.com');
  });

  it('a sending domain that is an address, a minimum that is not a whole number, reversed thresholds: each named', () => {
    expect(problems({ sendingDomain: 'noreply@example.com' })).toContain('targets.mail.sendingDomain: expected the domain the application sends from, like example.com');
    expect(problems({ minRequests: 12.5 })).toContain('targets.mail.minRequests: expected a whole number of requests');
    expect(problems({ thresholds: { reputation: { warn: 80, crit: 95 } } })).toContain('targets.mail.thresholds.reputation: warn 80 and crit 95 are the wrong way round');
  });

  it('an apiKey missing, empty or not a string: named, with what is accepted', () => {
    for (const apiKey of [undefined, '', 5]) {
      expect(problems({ apiKey })).toContain('targets.mail.apiKey: ');
      expect(problems({ apiKey })).toContain('expected the SendGrid API key (SG....), written as ${SENDGRID_API_KEY}');
    }
  });

  it('SENDGRID_API_KEY not set names the variable', () => {
    let message: string;
    try {
      const config = parseConfig({ targets: { mail: { kind: 'sendgrid', apiKey: '${SENDGRID_API_KEY}' } } }, 'chatops.yml', {});
      message = config.targets.map((t) => t.configProblem ?? '').join('\n');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('SENDGRID_API_KEY');
  });
});
