// /diag logs through the real Bolt app and `chatops diag logs ... --json` through the real binary:
// the report of a workload's error patterns, the target left out when one k8s target exists, and
// the words refused (a bad window, a name not found) with what is accepted.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report.ts';
import { slashCommandBody } from '../../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../../support/test-bot.ts';
import { kubeDeployment, kubePod } from '../../support/kube-objects.ts';
import { isolatedCliEnv } from '../../cli/isolated-cli-env.ts';
import { useFakeKubeApi } from './kube-helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/chatops');
const k = useFakeKubeApi();
const t = useHttpTestBot(() => `targets:
  prod:
    kind: kubernetes
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop]
`);

function chatops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: isolatedCliEnv(), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function addCheckout(): void {
  k.api.add(kubeDeployment({ namespace: 'shop', name: 'checkout', replicas: 1 }));
  k.api.add(kubePod({ namespace: 'shop', name: 'checkout-5d4f8c7b9-a1', owner: { kind: 'Deployment', name: 'checkout' } }));
  k.api.setLogLines('shop', 'checkout-5d4f8c7b9-a1', 'app', {
    current: [
      { agoS: 120, text: 'ERROR payment 17 declined by 10.1.2.3: card expired' },
      { agoS: 60, text: 'ERROR payment 18 declined by 10.1.2.4: card expired' },
      { agoS: 7200, text: 'ERROR only in a long window' },
    ],
  });
}

describe('/diag logs', { timeout: 120_000 }, () => {
  it('answers with the patterns of a workload, the only k8s target taken as the target', async () => {
    addCheckout();
    await t.send(slashCommandBody({ command: '/diag', text: 'logs checkout', responseUrl: t.slack.responseUrl('l') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'), 10_000);
    expect(String(t.slack.callsTo('chat.postMessage')[0]!.args.text)).toContain('Reading the logs of *checkout* on *prod*');
    const update = callText(t.slack.callsTo('chat.update')[0]!);
    expect(update).toContain('2× ERROR payment 18 declined by 10.1.2.4: card expired');
    expect(update).toContain('WARN (1 warn, 1 ok)');
    expect(update).toContain('pattern: ERROR payment &lt;n&gt; declined by &lt;ip&gt;: card expired');
    expect(update).not.toContain('only in a long window');
  });

  it('a bad window is refused naming the accepted forms', async () => {
    await t.send(slashCommandBody({ command: '/diag', text: 'logs prod checkout forever', responseUrl: t.slack.responseUrl('b') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain('since \\"forever\\" is not a duration; accepted: a number with s, m or h');
  });

  it('chatops diag logs prints the report as JSON and exits with its status; a name not found exits 3 with suggestions', async () => {
    addCheckout();
    const config = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-logs-')), 'chatops.yml');
    writeFileSync(config, `targets:\n  prod:\n    kind: kubernetes\n    kubeconfig: ${k.kubeconfig}\n    namespaces: [shop]\n`);
    const run = await chatops(['diag', 'logs', 'prod', 'deployment/checkout', '3h', '--json', '--config', config]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Report;
    expect(run.code).toBe(1);
    expect(report).toMatchObject({ target: 'prod', kind: 'k8s', status: 'warn' });
    expect(report.findings.map((f) => [f.check, f.metrics?.count])).toEqual([['k8s.log_patterns', 2], ['k8s.log_patterns', 1], ['k8s.log_patterns', undefined]]);
    expect(report.findings.at(-1)!.title).toContain('over the last 3 h');

    const missing = await chatops(['diag', 'logs', 'checkot', '--config', config]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no workload (deployment, statefulset, daemonset) or pod named checkot in namespace shop of prod; did you mean checkout');
  });
});
