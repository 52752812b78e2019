// /diag k8s through the real bot: the report of a cluster with a crashlooping deployment, its
// buttons and what their confirmation says, and the namespace argument.
import { describe, expect, it } from 'vitest';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { kubeDeployment, kubePod } from '../support/kube-objects.ts';
import { useFakeKubeApi } from '../probes/kubernetes/kube-helpers.ts';
import { unsealedValue } from '../support/test-signer.ts';

const k = useFakeKubeApi();
const t = useHttpTestBot(() => `targets:
  prod:
    kind: kubernetes
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop, payments]
    restartable: [deployment/api-gateway]
`);

interface Button {
  action_id: string;
  text: { text: string };
  value?: string;
  style?: string;
  confirm?: { text: { text: string } };
}

describe('/diag k8s', () => {
  it('reports the crashlooping deployment with Logs, Restart (confirmed, saying what it replaces) and Scale buttons', async () => {
    k.api.add(kubeDeployment({ namespace: 'shop', name: 'api-gateway', replicas: 3, available: 2 }));
    k.api.add(kubePod({ namespace: 'shop', name: 'api-gateway-5d4f8c7b9-a1', owner: { kind: 'Deployment', name: 'api-gateway' } }));
    k.api.add(kubePod({ namespace: 'shop', name: 'api-gateway-5d4f8c7b9-a2', owner: { kind: 'Deployment', name: 'api-gateway' }, containers: [{ name: 'app', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 20 } } }] }));
    const res = await t.send(slashCommandBody({ command: '/diag', text: 'k8s prod shop', responseUrl: t.slack.responseUrl('d') }));
    expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'), 10_000);
    expect(String(t.slack.callsTo('chat.postMessage')[0]!.args.text)).toContain('Running k8s diagnostics on *prod* (namespace shop)');
    const update = t.slack.callsTo('chat.update')[0]!;
    const blocks = update.args.blocks as Array<{ type: string; text?: { text: string }; elements?: Button[] }>;
    expect(blocks[0]!.text!.text).toMatch(/prod \(k8s at [^)]*\): CRIT/);
    const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
    const byAction = (id: string) => buttons.find((b) => b.action_id === id);
    const restart = byAction('remedy:k8s.restart')!;
    expect(restart.style).toBe('danger');
    expect(restart.confirm!.text.text).toBe('Restart deployment api-gateway in prod/shop: 3 pods will be replaced one by one (kubectl rollout restart); the rollout is watched here.');
    expect(JSON.parse(unsealedValue(restart.value!))).toEqual({ action: 'k8s.restart', target: 'prod', params: { namespace: 'shop', workload: 'deployment', name: 'api-gateway', replicas: 3 } });
    const logs = byAction('remedy:k8s.logs')!;
    expect(logs.confirm).toBeUndefined();
    expect(JSON.parse(unsealedValue(logs.value!)).params).toEqual({ namespace: 'shop', pod: 'api-gateway-5d4f8c7b9-a2', container: 'app', previous: 'yes' });
    // Scale asks for the count in a dialog: no confirm on the button itself.
    expect(byAction('remedy:k8s.scale')).toMatchObject({ style: 'danger' });
    expect(byAction('remedy:k8s.scale')!.confirm).toBeUndefined();
    expect(k.api.requests.some((r) => r.path === '/api/v1/namespaces/payments/pods')).toBe(false);
  });

  it('a namespace the target does not watch is refused, naming the ones it does', async () => {
    await t.send(slashCommandBody({ command: '/diag', text: 'k8s prod kube-system', responseUrl: t.slack.responseUrl('n') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain('prod does not watch namespace \\"kube-system\\"; its namespaces: shop, payments');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
