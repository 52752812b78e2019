// A kind's client library is loaded only when a target of that kind runs: `chatops diag db`
// loads pg, never the Kubernetes client nor ioredis, and config validation, help and runbook
// validation read the light definitions alone. Each case runs in a process of its own with a
// module hook that records every module Node resolves, so what the process loaded is a fact,
// not a guess from the import graph.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/report.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/chatops');
const HEAVY = ['@kubernetes/client-node', 'ioredis', 'undici', 'stripe', 'openai'];

const dir = mkdtempSync(path.join(os.tmpdir(), 'lazy-kinds-'));
const hook = path.join(dir, 'record-modules.mjs');
writeFileSync(hook, `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    appendFileSync(process.env.MODULE_LOG, resolved.url + '\\n');
    return resolved;
  },
});
`);

interface Run { code: number; stdout: string; stderr: string; modules: string[] }

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const log = path.join(dir, `modules-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  return new Promise((resolve) => {
    execFile(file, args, {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: `--import=${hook}`, MODULE_LOG: log, ...env },
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) });
    });
  });
}

function loaded(modules: readonly string[], pkg: string): boolean {
  return modules.some((url) => url.includes(`/node_modules/${pkg}/`));
}

describe('kinds load their client library only when a target of the kind runs', () => {
  it('chatops diag db runs the PostgreSQL checks without loading the Kubernetes client, ioredis or undici', async () => {
    const r = await run(BIN, ['diag', 'db', '--url', inject('pgUrl'), '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.find((f) => f.check === 'postgres.reachable')?.status, r.stderr).toBe('ok');
    expect(report.findings.length).toBeGreaterThan(5);
    // The hook saw the run: pg was resolved, so an empty record cannot pass for a light one.
    expect(loaded(r.modules, 'pg')).toBe(true);
    for (const pkg of HEAVY) expect(loaded(r.modules, pkg), pkg).toBe(false);
  });

  it('a config with a target of every kind validates, and help, runbooks, the actions and its secrets read the light definitions only', async () => {
    const script = path.join(dir, 'light.ts');
    writeFileSync(script, `
      import { parseConfig } from ${JSON.stringify(path.join(ROOT, 'src/config/load-config.ts'))};
      import { PROBES, allCheckIds } from ${JSON.stringify(path.join(ROOT, 'src/probes/probe-registry.ts'))};
      import { ACTIONS, findAction } from ${JSON.stringify(path.join(ROOT, 'src/actions/action-catalogue.ts'))};
      import { loadRunbooks } from ${JSON.stringify(path.join(ROOT, 'src/runbooks/load-runbooks.ts'))};
      import { configSecrets } from ${JSON.stringify(path.join(ROOT, 'src/security/config-secrets.ts'))};
      const config = parseConfig({ targets: {
        db: { kind: 'postgres', url: 'postgres://u:p@db:5432/app', thresholds: { connections: { warn: 70 } } },
        cache: { kind: 'redis', url: 'redis://cache:6379' },
        api: { kind: 'http', url: 'https://api/health' },
        prom: { kind: 'prometheus', url: 'http://prom:9090' },
        am: { kind: 'alertmanager', url: 'http://am:9093' },
        prod: { kind: 'k8s', server: 'https://k8s:6443', token: 'kube-token-123', namespaces: ['shop'], restartable: ['deployment/api'] },
        pay: { kind: 'stripe', apiKey: 'sk_test_stripe-key-123' },
        ai: { kind: 'openai', apiKey: 'sk-openai-key-123' },
        mail: { kind: 'sendgrid', apiKey: 'SG.sendgrid-key-123' },
      } }, 'test');
      const runbooks = loadRunbooks(config.runbooks.dir, allCheckIds());
      const help = PROBES.map((p) => p.kind + ' ' + p.aliases.join('/') + ': ' + p.description);
      const described = ACTIONS.map((a) => findAction(a.id).describe({}, 'x'));
      const secrets = configSecrets(config);
      console.log(JSON.stringify({ targets: config.targets.map((t) => t.kind), thresholds: config.targets[0].thresholds.connections, runbooks: runbooks.all.length, help: help.length, described: described.length, secrets }));
    `);
    const r = await run(process.execPath, [script]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ targets: ['postgres', 'redis', 'http', 'prometheus', 'alertmanager', 'k8s', 'stripe', 'openai', 'sendgrid'], thresholds: { warn: 70, crit: 95 }, help: 9 });
    expect([...JSON.parse(r.stdout).secrets].sort()).toEqual(expect.arrayContaining(['SG.sendgrid-key-123', 'kube-token-123', 'sk-openai-key-123', 'sk_test_stripe-key-123']));
    expect(r.modules.some((url) => url.endsWith('/src/probes/kubernetes/kubernetes-kind.ts'))).toBe(true);
    for (const pkg of ['pg', ...HEAVY]) expect(loaded(r.modules, pkg), pkg).toBe(false);
  });
});
