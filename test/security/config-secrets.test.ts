// configSecrets finds every secret a config and the bot's environment hold, whatever the probe
// kind, and maskSecrets with them hides each one however it is spelled in a text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { httpKind } from '../../src/probes/http/http-kind.ts';
import { kubernetesKind } from '../../src/probes/kubernetes/kubernetes-kind.ts';
import { findProbe } from '../../src/probes/probe-registry.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { maskSecrets } from '../../src/security/mask-secrets.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-config-secrets-'));
const kubeconfig = path.join(dir, 'kubeconfig');
writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: 'https://10.0.0.1:6443' }
users:
- name: bot
  user: { token: kube-token-from-file-77, client-key-data: ${Buffer.from('-----BEGIN PRIVATE KEY-----\nkeykeykey\n').toString('base64')} }
- name: admin
  user: { username: admin, password: kube-password-88 }
contexts:
- name: prod
  context: { cluster: prod, user: bot }
current-context: prod
`);

const env = {
  SLACK_BOT_TOKEN: 'xoxb-bot-token-1234',
  SLACK_SIGNING_SECRET: 'signing-secret-5678',
  SLACK_APP_TOKEN: 'xapp-app-token-9012',
  DATABASE_URL: 'postgres://chatops:state-db-pass@db/chatops',
  CHATOPS_SIGNING_KEYS: 'new:bmV3LWJ1dHRvbi1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI=,old:b2xkLWJ1dHRvbi1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI=',
  PG_PASSWORD_URL: 'ignored',
  FEATURE_TOKEN_CHECK: 'true',
  PORT: '3000',
  MAIN_DB: 'postgres://monitor:p%40ss%2Fw0rd@db:5432/app?sslmode=require',
  HTTP_KEY: 'api-key-3456',
};

const config = parseConfig({
  targets: {
    'main-db': { kind: 'postgres', url: '${MAIN_DB}' },
    cache: { kind: 'redis', url: 'rediss://default:redis-pass-42@cache:6380/0' },
    api: { kind: 'http', url: 'https://api.example.com/health?token=query-token-99', headers: { 'X-Api-Key': '${HTTP_KEY}', Authorization: `Basic ${Buffer.from('probe:basic-pass-31').toString('base64')}`, Accept: 'application/json' } },
    prom: { kind: 'prometheus', url: 'http://prom:9090', headers: { Authorization: 'Bearer prom-bearer-64' } },
    am: { kind: 'alertmanager', url: 'http://user:am-pass-12@am:9093' },
    k8s: { kind: 'k8s', server: 'https://10.0.0.2:6443', token: 'kube-server-token-55' },
    'k8s-file': { kind: 'k8s', kubeconfig, context: 'prod' },
  },
}, 'chatops.yml', env);

describe('configSecrets', () => {
  const secrets = configSecrets(config, env);

  it.each([
    ['a postgres URL password, decoded', 'p@ss/w0rd'],
    ['a postgres URL password, as written', 'p%40ss%2Fw0rd'],
    ['a redis URL password', 'redis-pass-42'],
    ['a secret query value of an http URL', 'query-token-99'],
    ['an X-Api-Key header', 'api-key-3456'],
    ['a Basic credential', Buffer.from('probe:basic-pass-31').toString('base64')],
    ['the password inside a Basic credential', 'basic-pass-31'],
    ['a prometheus bearer token', 'prom-bearer-64'],
    ['an alertmanager URL password', 'am-pass-12'],
    ['a kube token in the config', 'kube-server-token-55'],
    ['a kube token in the kubeconfig', 'kube-token-from-file-77'],
    ['a kube password in the kubeconfig', 'kube-password-88'],
    ['the Slack bot token', 'xoxb-bot-token-1234'],
    ['the Slack signing secret', 'signing-secret-5678'],
    ['the Slack app token', 'xapp-app-token-9012'],
    ['the state store password', 'state-db-pass'],
    ['the button signing keys', 'new:bmV3LWJ1dHRvbi1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI=,old:b2xkLWJ1dHRvbi1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI='],
    ['a button signing key', 'bmV3LWJ1dHRvbi1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI='],
    ['another button signing key', 'b2xkLWJ1dHRvbi1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI='],
  ])('has %s', (_what, secret) => {
    expect(secrets).toContain(secret);
  });

  it('has neither plain header values, switches nor whole URLs without a password', () => {
    for (const plain of ['application/json', 'true', '3000', 'https://api.example.com/health?token=query-token-99', 'http://prom:9090']) expect(secrets).not.toContain(plain);
  });

  it('lists longest first, so a secret containing another is masked whole', () => {
    const lengths = secrets.map((s) => s.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });

  it('masks every one of them in a pod log, raw, URL-encoded and in base64', () => {
    const leaked = ['p@ss/w0rd', 'kube-token-from-file-77', 'signing-secret-5678', 'basic-pass-31', 'am-pass-12'];
    const log = leaked.flatMap((s) => [`raw ${s}`, `url ${encodeURIComponent(s)}`, `b64 ${Buffer.from(s).toString('base64')}`]).join('\n');
    const out = maskSecrets(log, secrets);
    for (const s of leaked) {
      expect(out).not.toContain(s);
      expect(out).not.toContain(encodeURIComponent(s));
      expect(out).not.toContain(Buffer.from(s).toString('base64').replace(/=+$/, ''));
    }
    expect(out.split('\n').every((line) => / \*\*\*=*$/.test(line))).toBe(true);
  });
});

describe('configSecrets reads each target\'s secrets through its kind\'s definition', () => {
  const secrets = configSecrets(config, env);
  const target = (name: string) => config.targets.find((t) => t.name === name)!;

  it('has what every kind says are its target\'s secrets, besides the whole connection URL', () => {
    for (const t of config.targets) {
      const kind = findProbe(t.kind)!;
      for (const s of [...kind.secrets(t), ...(kind.externalSecrets?.(t) ?? [])]) if (s !== t.url) expect(secrets, `${t.name}: ${s}`).toContain(s);
    }
  });

  it('has a kubeconfig\'s credentials, which the k8s kind reads outside the target\'s keys', () => {
    const external = kubernetesKind.externalSecrets!(target('k8s-file') as never);
    expect(external).toEqual(expect.arrayContaining(['kube-token-from-file-77', 'kube-password-88']));
    expect(external).toContain(Buffer.from('-----BEGIN PRIVATE KEY-----\nkeykeykey\n').toString('base64'));
    for (const s of external) expect(secrets).toContain(s.trim());
    // A bare server with a token reads no file.
    expect(kubernetesKind.externalSecrets!(target('k8s') as never)).toEqual([]);
  });

  it('has an HTTP header value whole and its credential alone, as the http kind judges them', () => {
    expect(httpKind.secrets(target('api') as never)).toEqual(expect.arrayContaining(['api-key-3456', 'basic-pass-31']));
    expect(secrets).toEqual(expect.arrayContaining(['Bearer prom-bearer-64', 'prom-bearer-64', 'api-key-3456']));
    expect(secrets).not.toContain('application/json');
  });

  it('keeps a connection URL without a password out: it names the target in every message', () => {
    const plain = parseConfig({ targets: { db: { kind: 'postgres', url: 'postgres://db:5432/app' }, cache: { kind: 'redis', url: 'redis://cache:6379' } } }, 'chatops.yml', {});
    expect(configSecrets(plain)).toEqual([]);
  });

  it('names no kind and imports nothing from a kind\'s folder', () => {
    const source = readFileSync(path.resolve(import.meta.dirname, '../../src/security/config-secrets.ts'), 'utf8');
    const code = source.replace(/^\s*\/\/.*$/gm, '');
    expect(code).not.toMatch(/probes\/(?:postgres|redis|http|prometheus|alertmanager|kubernetes)\//);
    expect(code).not.toMatch(/kind === ['"]/);
    expect(code).not.toMatch(/as unknown as/);
  });
});
