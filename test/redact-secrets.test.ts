import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../src/redact-secrets.ts';

describe('redactSecrets', () => {
  it.each([
    ['postgres://monitor:s3cr3t@db:5432/app', 'postgres://monitor:***@db:5432/app', 's3cr3t'],
    ['rediss://:hunter2@cache:6380', 'rediss://:***@cache:6380', 'hunter2'],
    ['host=db password=s3cr3t user=x', 'host=db password=*** user=x', 's3cr3t'],
    ['token xoxb-1234-5678-abcdef here', 'token xox*-*** here', 'xoxb-1234'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer ***', 'abc.def'],
    ['key sk_live_51Habc123', 'key sk_live_***', '51Habc123'],
  ])('masks %s', (input, expected, secret) => {
    const out = redactSecrets(input);
    expect(out).toBe(expected);
    expect(out).not.toContain(secret);
  });

  it('leaves text without secrets alone', () => {
    expect(redactSecrets('Connections 182/200 (91%) at postgres://db:5432/app')).toBe('Connections 182/200 (91%) at postgres://db:5432/app');
  });
});
