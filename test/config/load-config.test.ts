import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

function writeConfig(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-config-'));
  const file = path.join(dir, 'chatops.yml');
  writeFileSync(file, text);
  return file;
}

const env = { DB_URL: 'postgres://monitor:s3cr3t@db:5432/app' };

describe('loadConfig', () => {
  it('reads targets, interpolates ${VAR} and merges threshold overrides over the defaults', () => {
    const file = writeConfig(`
targets:
  main-db:
    kind: postgres
    url: \${DB_URL}
    timeoutMs: 2000
    thresholds:
      connections: { warn: 70 }
`);
    const config = loadConfig({ file, env });
    expect(config.source).toBe(file);
    const t = config.targets[0]!;
    expect(t).toMatchObject({ name: 'main-db', kind: 'postgres', url: env.DB_URL, timeoutMs: 2000 });
    expect(t.thresholds.connections).toEqual({ warn: 70, crit: 95 });
    expect(t.thresholds.long_queries).toEqual({ warn: 120, crit: 300 });
  });

  it('the commented example file is valid', () => {
    const env = { MONITORED_DATABASE_URL: 'postgres://x@y/z', CACHE_URL: 'redis://cache:6379', API_HEALTH_TOKEN: 'secret-token' };
    const config = loadConfig({ file: path.resolve(import.meta.dirname, '../../chatops.example.yml'), env });
    expect(config.targets.map((t) => `${t.name}:${t.kind}`)).toEqual(['main-db:postgres', 'cache:redis', 'api:http', 'monitoring:prometheus', 'alerts:alertmanager', 'prod-cluster:k8s']);
    expect(config.targets[2]!.headers).toEqual({ Authorization: 'Bearer secret-token' });
  });

  it('starts with no targets when there is no file and none was asked for', () => {
    const config = loadConfig({ defaultFile: '/nonexistent/chatops.yml', env });
    expect(config.targets).toEqual([]);
    expect(config.source).toBe('(no config file)');
  });

  it.each([
    ['an explicit file that is missing', null, /config file .*nope\.yml does not exist/],
    ['bad YAML', 'targets: [unclosed', /not valid YAML/],
    ['an unknown top-level key', 'targetz: {}', /unknown key targetz; accepted keys: targets, digests, access, incidents, oncall, history, runbooks/],
    ['an unknown kind', 'targets:\n  x:\n    kind: mysql\n    url: u', /targets\.x\.kind: unknown kind "mysql"; accepted kinds: postgres, redis, http, prometheus, alertmanager/],
    ['a missing kind', 'targets:\n  x:\n    url: u', /targets\.x\.kind: missing or not a string/],
    ['a bad timeout', 'targets:\n  x:\n    kind: postgres\n    url: u\n    timeoutMs: fast', /targets\.x\.timeoutMs: .*expected number.*\(got "fast"\)/],
    ['a timeout out of range', 'targets:\n  x:\n    kind: postgres\n    url: u\n    timeoutMs: 5', /targets\.x\.timeoutMs: .*100.*\(got 5\)/],
    ['an unknown threshold check', 'targets:\n  x:\n    kind: postgres\n    url: u\n    thresholds:\n      conections: { warn: 1 }', /thresholds\.conections: no such check .*accepted: connections/],
    ['a ladder step with a bad delay', 'incidents:\n  channel: C0INC\n  ladder:\n    sev1: { ackWithin: 15m, steps: [{ label: x, after: soon, notify: [{ user: U0A }], until: resolved }] }\n    sev2: { ackWithin: 1h, steps: [] }\n    sev3: { ackWithin: 1h, steps: [] }\n    sev4: { ackWithin: 1h, steps: [] }', /incidents\.ladder\.sev1\.steps\.0\.after: not a duration like 30s, 15m, 1h/],
    ['a rotation in a time zone that does not exist', 'oncall:\n  rotations:\n    primary: { members: [U0A], timezone: Mars/Olympus, start: "2026-01-05" }', /oncall\.rotations\.primary\.timezone: not an IANA time zone .*\(got "Mars\/Olympus"\)/],
    ['an unknown target key', 'targets:\n  x:\n    kind: postgres\n    url: u\n    hots: h', /targets\.x: unknown key hots; accepted keys: kind, timeoutMs, thresholds, url/],
    ['a missing url', 'targets:\n  x:\n    kind: postgres', /targets\.x\.url: /],
    ['an unset variable', 'targets:\n  x:\n    kind: postgres\n    url: ${NOPE_URL}', /targets\.x\.url: environment variable NOPE_URL is not set/],
    ['a bad cron expression', 'digests:\n  d:\n    cron: "every morning"\n    channel: C0123', /digests\.d\.cron: not a valid cron expression .*\(got "every morning"\)/],
    ['an unknown time zone', 'digests:\n  d:\n    cron: "0 8 * * *"\n    timezone: Mars/Olympus\n    channel: C0123', /digests\.d\.timezone: not an IANA time zone .*\(got "Mars\/Olympus"\)/],
    ['a channel name instead of an id', 'digests:\n  d:\n    cron: "0 8 * * *"\n    channel: "#ops"', /digests\.d\.channel: .*channel id like C0123ABCD/],
    ['a digest of an unknown target', 'targets:\n  x:\n    kind: postgres\n    url: u\ndigests:\n  d:\n    cron: "0 8 * * *"\n    channel: C0123\n    targets: [y]', /digests\.d\.targets: no target named "y"; configured: x/],
    ['a reserved target name', 'targets:\n  all:\n    kind: postgres\n    url: u', /targets\.all: "all" is a \/diag word, not a target name/],
    ['a bad target name', 'targets:\n  Main DB:\n    kind: postgres\n    url: u', /targets\.Main DB: a target name must be/],
  ])('refuses %s, naming the key and what is accepted', (_name, text, message) => {
    const file = text === null ? path.join(os.tmpdir(), 'nope.yml') : writeConfig(text);
    expect(() => loadConfig({ file, env, mode: 'strict' })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env, mode: 'strict' })).toThrow(message);
  });

  it('never echoes a secret value in an error', () => {
    expect(() => parseConfig({ targets: { x: { kind: 'postgres', url: 42 } } }, 'f.yml', env)).toThrow(/url: .*\(got 42\)/);
    try {
      parseConfig({ targets: { x: { kind: 'postgres', url: '${DB_URL}', password: 'x' } } }, 'f.yml', env);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cr3t');
    }
  });

  it('supports ${VAR:-default} and $${ escapes', () => {
    const config = parseConfig({ targets: { x: { kind: 'postgres', url: '${UNSET_VAR:-postgres://localhost/app}' } }, runbooks: { dir: '$${literal}' } }, 'f', {});
    expect(config.targets[0]!.url).toBe('postgres://localhost/app');
    expect(config.runbooks.dir.endsWith('${literal}')).toBe(true);
  });
});

describe('every problem at once', () => {
  const BROKEN = `
targets:
  db:
    kind: postgres
    url: \${DB_URL}
  cache:
    kind: redis
    url: \${CACHE_URL}
  web:
    kind: http
    url: ftp://web.internal/health
    timeoutMs: 5
  old:
    kind: mysql
digests:
  morning:
    cron: "every morning"
    channel: C0123
    targets: [db, nope]
access:
  postgres.nothing: {}
`;

  it('collects every problem with its key, keeps the targets whose problems are their own, and leaves out the rest', () => {
    const config = loadConfig({ file: writeConfig(BROKEN), env, mode: 'collect' });
    expect(config.problems.map((p) => [p.path, p.target])).toEqual([
      ['targets.cache.url', 'cache'],
      ['targets.web.url', 'web'],
      ['targets.web.timeoutMs', 'web'],
      ['targets.old.kind', undefined],
      ['digests.morning.cron', undefined],
      ['digests.morning.targets', undefined],
      ['access.postgres.nothing', undefined],
    ]);
    expect(config.problems[0]!.message).toMatch(/environment variable CACHE_URL is not set/);
    expect(config.problems[1]!.message).toBe('expected an http:// or https:// URL (got [hidden])');
    expect(config.problems[3]!.message).toMatch(/unknown kind "mysql"; accepted kinds: postgres, redis/);
    expect(config.problems[5]!.message).toBe('no target named "nope"; configured: db, cache, web');
    expect(config.targets.map((t) => [t.name, t.configProblem !== undefined])).toEqual([['db', false], ['cache', true], ['web', true]]);
    expect(config.targets[0]!.url).toBe(env.DB_URL);
    expect(config.targets[2]!.configProblem).toBe('targets.web.url: expected an http:// or https:// URL (got [hidden]); targets.web.timeoutMs: Too small: expected number to be >=100 (got 5)');
    expect(config.digests).toEqual([]);
    expect(config.access).toEqual([]);
  });

  it('the bot refuses to start on a problem that is not a target\'s own, listing every problem, one per line', () => {
    try {
      loadConfig({ file: writeConfig(BROKEN), env });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const lines = (e as Error).message.split('\n');
      expect(lines[0]).toMatch(/chatops\.yml: 7 problems:$/);
      expect(lines.slice(1)).toEqual((e as ConfigError).problems.map((p) => `  ${ConfigError.line(p)}`));
      expect((e as ConfigError).problems).toHaveLength(7);
    }
  });

  it('the bot starts when every problem is a target\'s own: the target stays, with its problem', () => {
    const config = loadConfig({ file: writeConfig('targets:\n  db:\n    kind: postgres\n    url: ${DB_URL}\n  cache:\n    kind: redis\n    url: ${CACHE_URL}\n'), env });
    expect(config.problems).toEqual([{ path: 'targets.cache.url', target: 'cache', message: expect.stringMatching(/CACHE_URL is not set/) }]);
    expect(config.targets.find((t) => t.name === 'cache')).toMatchObject({ kind: 'redis', configProblem: expect.stringMatching(/^targets\.cache\.url: environment variable CACHE_URL is not set/) });
  });

  it('an unset variable is said once, not again as a bad value; every unset one is said', () => {
    const config = parseConfig({ digests: { d: { cron: '${CRON}', channel: '${CHANNEL}' } }, runbooks: { baseUrl: '${RUNBOOKS}' } }, 'f', {}, '/tmp', 'collect');
    expect(config.problems.map((p) => p.path)).toEqual(['digests.d.cron', 'digests.d.channel', 'runbooks.baseUrl']);
    expect(config.problems.every((p) => /environment variable \w+ is not set/.test(p.message))).toBe(true);
  });

  it('a file that is not YAML cannot be read in any mode', () => {
    expect(() => loadConfig({ file: writeConfig('targets: [unclosed'), env, mode: 'collect' })).toThrow(/not valid YAML/);
  });
});

describe('access rules for incidents', () => {
  it('incident.* rules are read in the shape of the other access rules and given to the incidents', () => {
    const config = parseConfig({
      incidents: { channel: 'C0INC' },
      access: { 'incident.resolve': { groups: ['S0SRE'] }, 'incident.*': { channels: ['C0WAR'] }, 'postgres.*': { users: ['U0DBA'] } },
    }, 'f', {});
    expect(config.incidents!.access).toEqual([
      { pattern: 'incident.resolve', users: [], groups: ['S0SRE'], channels: [] },
      { pattern: 'incident.*', users: [], groups: [], channels: ['C0WAR'] },
    ]);
    expect(config.access.map((r) => r.pattern)).toEqual(['incident.resolve', 'incident.*', 'postgres.*']);
  });

  it('refuses an incident operation that does not exist, naming the accepted ones', () => {
    expect(() => parseConfig({ access: { 'incident.close': { users: ['U0A1'] } } }, 'f', {}))
      .toThrow(/access\.incident\.close: matches no action; accepted: .*incident\.declare, incident\.ack, incident\.resolve, incident\.escalate, incident\.sev, incident\.note, or a prefix such as postgres\.\* or incident\.\*/);
    expect(() => parseConfig({ access: { 'incident.resolve': { users: ['alice'] } } }, 'f', {})).toThrow(/access\.incident\.resolve\.users\.0: a Slack user id like U0123ABCD \(got "alice"\)/);
  });
});

describe('kubernetes targets', () => {
  it('kind: kubernetes is the k8s kind, with defaults for what is not set', () => {
    const config = parseConfig({ targets: { prod: { kind: 'kubernetes', context: 'prod-admin', namespaces: ['shop'], restartable: ['deployment/api', 'shop/statefulset/db'] } } }, 'f', {});
    expect(config.targets[0]).toMatchObject({
      name: 'prod', kind: 'k8s', context: 'prod-admin', inCluster: false, namespaces: ['shop'],
      restartable: ['deployment/api', 'shop/statefulset/db'], deletePods: false, rolloutPollMs: 2000, eventWindowMinutes: 60,
    });
    expect(config.targets[0]!.thresholds.pending).toEqual({ warn: 300, crit: 900 });
  });

  it('refuses a malformed restartable entry, a namespace that is not a name, and two ways to reach the cluster', () => {
    expect(() => parseConfig({ targets: { prod: { kind: 'k8s', restartable: ['api-gateway'] } } }, 'f', {}))
      .toThrow('targets.prod.restartable.0: deployment/<name>, statefulset/<name> or daemonset/<name>, optionally prefixed with <namespace>/ (got "api-gateway")');
    expect(() => parseConfig({ targets: { prod: { kind: 'k8s', namespaces: ['Prod_1'] } } }, 'f', {})).toThrow(/targets\.prod\.namespaces\.0: a namespace name/);
    expect(() => parseConfig({ targets: { prod: { kind: 'k8s', inCluster: true, context: 'x' } } }, 'f', {})).toThrow(/choose one way to reach the cluster/);
    expect(() => parseConfig({ targets: { prod: { kind: 'k8s', restartable: [], nodes: 3 } } }, 'f', {})).toThrow(/unknown key nodes; accepted keys: .*kubeconfig, context, inCluster/);
  });
});

describe('a problem never shows a secret', () => {
  const env = { TOKEN: 'eyJhbGciOiJSUzI1NiJ9.tokenSECRETvalue', AUTH: 'Basic dXNlcjpTRUNSRVRwdzEyMw==\n' };
  const texts = (file: string) => JSON.stringify(loadConfig({ file, env, mode: 'collect' }).problems);

  it('describes a mapping it refuses instead of printing it', () => {
    const file = writeConfig(`targets:
  kube:
    kind: k8s
    inCluster: true
    server: https://10.0.0.1:6443
    token: \${TOKEN}
`);
    const problems = texts(file);
    expect(problems).toContain('kube');
    expect(problems).not.toContain('tokenSECRETvalue');
    expect(problems).not.toContain('10.0.0.1');
  });

  it('hides a header value that fails validation, whatever the header is called', () => {
    const file = writeConfig(`targets:
  web:
    kind: http
    url: http://127.0.0.1:1/health
    headers:
      Authorization: \${AUTH}
`);
    expect(texts(file)).not.toContain('dXNlcjpTRUNSRVRwdzEyMw');
  });

  it('says where a file is not YAML without quoting its lines', () => {
    const file = writeConfig('targets:\n  cache:\n    kind: redis\n    url: "redis://:LiteralPw999@cache:6379\n  bad: [\n');
    let message = '';
    try {
      loadConfig({ file, env, mode: 'collect' });
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toMatch(/not valid YAML: .*line \d+, column \d+/);
    expect(message).not.toContain('LiteralPw999');
  });
});

describe('a postgres target', () => {
  it('takes only a postgres URL or a libpq string, naming the accepted schemes', () => {
    const config = parseConfig({ targets: { db: { kind: 'postgres', url: 'http://db:5432/app' }, kv: { kind: 'postgres', url: 'host=db dbname=app' }, ok: { kind: 'postgresql', url: 'postgresql://db/app' } } }, 'f.yml', {}, process.cwd(), 'collect');
    expect(config.problems.map((p) => p.path)).toEqual(['targets.db.url']);
    expect(config.problems[0]!.message).toContain('postgres:// or postgresql://');
  });
});

describe('thresholds', () => {
  it('refuses warn and crit the wrong way round for the check, naming its direction and defaults', () => {
    const config = parseConfig({ targets: {
      db: { kind: 'postgres', url: 'postgres://db/app', thresholds: { connections: { warn: 95, crit: 80 }, cache_hit: { warn: 90, crit: 99 } } },
      fine: { kind: 'postgres', url: 'postgres://db/app', thresholds: { connections: { warn: 70 }, cache_hit: { crit: 80 } } },
    } }, 'f.yml', {}, process.cwd(), 'collect');
    expect(config.problems.map((p) => p.path)).toEqual(['targets.db.thresholds.connections', 'targets.db.thresholds.cache_hit']);
    expect(config.problems[0]!.message).toContain('more is worse');
    expect(config.problems[1]!.message).toContain('less is worse');
  });
});
