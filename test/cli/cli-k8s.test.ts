// `chatops diag k8s <target> <namespace>` from a terminal, for when Slack itself is down: the
// same probe, the exit code of its status, and errors for a bad namespace or a stray word.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.ts';
import { kubePod } from '../support/kube-objects.ts';
import { useFakeKubeApi } from '../probes/kubernetes/kube-helpers.ts';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const k = useFakeKubeApi();

function chatops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: isolatedCliEnv(), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// Each run is a process that loads the bot's modules: seconds each on a busy machine.
describe('chatops diag k8s', { timeout: 120_000 }, () => {
  it('diagnoses one namespace of a configured cluster and exits with the status', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'web-1', containers: [{ name: 'web', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    k.api.add(kubePod({ namespace: 'other', name: 'quiet' }));
    const config = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-k8s-')), 'chatops.yml');
    writeFileSync(config, `targets:\n  prod:\n    kind: kubernetes\n    kubeconfig: ${k.kubeconfig}\n    namespaces: [shop, other]\n`);

    const run = await chatops(['diag', 'k8s', 'prod', 'shop', '--json', '--config', config]);
    const report = JSON.parse(run.stdout) as Report;
    expect(run.code).toBe(2);
    expect(report).toMatchObject({ target: 'prod', kind: 'k8s', status: 'crit' });
    expect(report.findings.find((f) => f.check === 'k8s.crashloop')?.title).toContain('pod web-1 in CrashLoopBackOff');
    expect(report.findings.find((f) => f.check === 'k8s.api')?.title).toContain('1 pods');

    const bad = await chatops(['diag', 'k8s', 'prod', 'kube-system', '--config', config]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('prod does not watch namespace "kube-system"; its namespaces: shop, other');
    const stray = await chatops(['diag', 'all', 'shop', '--config', config]);
    expect(stray.code).toBe(3);
    expect(stray.stderr).toContain('diag all takes no more words, got "shop"');
  });
});
