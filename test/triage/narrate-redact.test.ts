// What the narrating model may read: configured secrets and the generic secret patterns masked,
// then URLs, e-mail addresses, IP addresses, host names and the literals of SQL statements; check
// ids, runbook ids, versions and file names stay readable.
import { describe, expect, it } from 'vitest';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { redactForModel } from '../../src/triage/narrate-redact.ts';

const SECRETS = ['Zt8-configured-secret-Qw3'];

describe('redactForModel', () => {
  it.each([
    ['configured secret and generic keys', 'token Zt8-configured-secret-Qw3 and sk-proj-abcdefghijklmnop', 'token *** and sk-***'],
    ['a connection URL', 'postgres://app:pw@db1.prod.acme.com:5432/app refused', '<url> refused'],
    ['host names by suffix', 'db1.prod.acme.com and cache.internal and payments-api.default.svc.cluster.local:8080 are slow', '<host> and <host> and <host> are slow'],
    ['host names by shape', 'api-7.eu-west-1.prod down', '<host> down'],
    ['IPv4 with a port, IPv6', 'from 10.20.30.40:5432 and fe80::1ff:fe23:4567:890a and ::1', 'from <ip> and <ip> and <ip>'],
    ['an e-mail address', 'bounced for bob@shop.example', 'bounced for <email>'],
    ['SQL literals in a quoted statement', `"UPDATE accounts SET balance = balance - 100 WHERE email = 'bob@x.io'" waits`, '"UPDATE accounts SET balance = balance - ? WHERE email = ?" waits'],
    ['SQL literals in a bare statement', 'select * from users where id = 42 and name = \'Ann\' is slow', 'select * from users where id = ? and name = ? is slow'],
    ['English words that are SQL verbs are not statements', 'after the update 504 errors; select a runbook', 'after the update 504 errors; select a runbook'],
    ['check ids, runbook ids, versions and files stay', 'prometheus.query.http_5xx_ratio, postgres.blocking_locks, k8s-crashing-pods, node 20.1.2, config.yml, pg_stat_activity.state', 'prometheus.query.http_5xx_ratio, postgres.blocking_locks, k8s-crashing-pods, node 20.1.2, config.yml, pg_stat_activity.state'],
    ['control characters', 'a\u0007b\u200Bc\nd', 'abc d'],
  ])('%s', (_name, input, expected) => {
    expect(redactForModel(input, SECRETS)).toBe(expected);
  });

  it.each([
    ['a host under a less common top-level domain', 'db.corp.acme.ru down, payments.acme.be 503', '<host> down, <host> 503'],
    ['a two-part cluster name with its port', 'redis-master.cache:6379 refused', '<host> refused'],
    ['an IPv6 address in letters only', 'peer dead:beef::cafe reset', 'peer <ip> reset'],
    ['literals of a SELECT without FROM, a CALL and a MERGE', "SELECT set_config('app.api_key','abc123',false); CALL charge_card('4111111111111111')", 'SELECT set_config(?,?,false); CALL charge_card(?)'],
    ['the row a unique violation names', 'Key (ssn)=(123456789) already exists', 'Key (ssn)=(?) already exists'],
    ['Slack mentions and channel links', 'ping <@U0123ABC> in <#C0ABC|ops>', 'ping <mention> in <mention>'],
    ['credentials before a host without a scheme', 'admin:hunter2@db.internal refused', '<url> refused'],
  ])('masks %s', (_what, text, masked) => {
    expect(redactForModel(text, SECRETS)).toBe(masked);
  });

  it('keeps every check id readable', () => {
    for (const id of allCheckIds()) expect(redactForModel(id, [])).toBe(id);
  });

  it('cuts after masking, so a cut never leaves part of a secret', () => {
    const text = `${'x'.repeat(390)} Zt8-configured-secret-Qw3 tail`;
    const out = redactForModel(text, SECRETS, 400);
    expect(out.length).toBeLessThanOrEqual(400);
    expect(out).not.toContain('Zt8');
  });

  it('a hostile megabyte of almost-addresses is masked whole', () => {
    const hostile = 'a-1.'.repeat(250_000) + ' ' + 'select '.repeat(50_000) + '1:2:'.repeat(100_000);
    expect(redactForModel(hostile, SECRETS).length).toBeLessThanOrEqual(400);
  });
});
