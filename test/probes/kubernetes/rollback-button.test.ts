// The Roll back button through the real bot (signed block_actions, the confirmation pressed as a
// person does) against the local API server: the Deployment's template becomes the previous
// ReplicaSet's, as kubectl rollout undo makes it, the rollout is watched to completion and
// audited; once only under a double press; refused for a workload not on the restartable list, a
// revision that no longer exists, or one that is no longer the previous.
import pg from 'pg';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { callText, useHttpTestBot } from '../../support/test-bot.ts';
import { kubeDeploymentHistory, kubePod, type RevisionSpec } from '../../support/kube-objects.ts';
import { useFakeKubeApi } from './kube-helpers.ts';
import { answers, pressRemedy } from '../../support/press-button.ts';

const k = useFakeKubeApi();
const t = useHttpTestBot(() => `targets:
  prod:
    kind: kubernetes
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop]
    restartable: [deployment/api, deployment/twice, deployment/gone, deployment/again, deployment/held, deployment/raced, deployment/worded]
    rolloutPollMs: 20
    timeoutMs: 3000
access:
  k8s.*:
    users: [U0ALICE, U0CAROL]
`);

beforeEach(() => {
  k.api.requests.length = 0;
});

const revisions = (name: string, n: number): RevisionSpec[] => Array.from({ length: n }, (_, i) => ({
  image: `registry.example/${name}:1.8.${i + 1}`,
  env: { API_URL: `https://v${i + 1}.internal`, LOG_LEVEL: 'info' },
  createdAgoS: i === n - 1 ? 240 : (n - i) * 86_400,
}));

/** A deployment of 3 ready pods at its last revision, with the ReplicaSets of the earlier ones. */
function deployment(name: string, n = 2): string {
  k.api.add(...kubeDeploymentHistory({ namespace: 'shop', name, replicas: 3, revisions: revisions(name, n) }));
  for (let i = 0; i < 3; i++) k.api.add(kubePod({ namespace: 'shop', name: `${name}-5d4f8c7b9-p${i}`, owner: { kind: 'Deployment', name }, containers: [{ name: 'app', image: `registry.example/${name}:1.8.${n}` }] }));
  return name;
}

const rollback = (name: string, revision: number, change: string) => ({ namespace: 'shop', workload: 'deployment', name, revision, change });
function press(params: Record<string, string | number>, options: { user?: string; responseId?: string } = {}) {
  return pressRemedy(t, { action: 'k8s.rollback', params, target: 'prod' }, { userId: options.user ?? 'U0ALICE', responseId: options.responseId ?? 'p' });
}
const patches = (name: string) => k.api.requests.filter((r) => r.method === 'PATCH' && r.path === `/apis/apps/v1/namespaces/shop/deployments/${name}`);
const threadTexts = () => [...t.slack.callsTo('chat.postMessage'), ...t.slack.callsTo('chat.update')].map((c) => String(c.args.text));

async function auditOutcomes(name: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    const rows = await c.query<{ outcome: string; params: unknown }>('SELECT outcome, params FROM audit_log WHERE action = $1 ORDER BY id', ['k8s.rollback']);
    return rows.rows.filter((r) => JSON.stringify(r.params).includes(`"${name}"`)).map((r) => r.outcome);
  } finally {
    await c.end();
  }
}

/** A pod template without the ReplicaSet's pod-template-hash label, keys sorted. */
function templateOf(rsTemplate: unknown): string {
  const copy = structuredClone(rsTemplate) as { metadata?: { labels?: Record<string, string> } };
  delete copy.metadata?.labels?.['pod-template-hash'];
  const sort = (_k: string, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
  return JSON.stringify(copy, sort);
}

describe('k8s.rollback', () => {
  it('confirms from which image to which, patches the template back to the previous ReplicaSet\'s as kubectl does, follows the rollout to completion and audits it', async () => {
    const name = deployment('api');
    const previous = k.api.get('ReplicaSet', 'shop', k.api.list('ReplicaSet', 'shop').find((rs: { metadata: { name: string; annotations: Record<string, string> } }) => rs.metadata.name.startsWith('api-') && rs.metadata.annotations['deployment.kubernetes.io/revision'] === '1').metadata.name);
    expect((await press(rollback(name, 1, 'registry.example/api:1.8.2 → registry.example/api:1.8.1'))).status).toBe(200);
    // The confirmation said what the button would do, images included.
    const prompt = t.slack.calls.find((c) => JSON.stringify(c.args).includes('confirm:run'));
    expect(JSON.stringify(prompt!.args)).toContain('Roll back deployment api in prod/shop to revision 1: registry.example/api:1.8.2 → registry.example/api:1.8.1');
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('rollout complete')), 15_000);

    const [patch, ...more] = patches(name);
    expect(more).toHaveLength(0);
    expect(patch!.contentType).toBe('application/json-patch+json');
    const ops = patch!.body as Array<{ op: string; path: string; value: unknown }>;
    // kubectl's two operations, guarded by a test of the generation the checks were made on.
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual(['test /metadata/generation', 'replace /spec/template', 'replace /metadata/annotations']);
    // The deployment's template is the previous ReplicaSet's, without its pod-template-hash label.
    const live = k.api.get('Deployment', 'shop', name);
    expect(templateOf(live.spec.template)).toBe(templateOf(previous.spec.template));
    expect(live.spec.template.metadata.labels['pod-template-hash']).toBeUndefined();
    expect(live.spec.template.spec.containers[0].image).toBe('registry.example/api:1.8.1');
    // The controller reused that ReplicaSet under the next revision, as a real one does.
    expect(live.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(k.api.get('ReplicaSet', 'shop', previous.metadata.name).metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(live.status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3, observedGeneration: live.metadata.generation });

    // Where it stands was shown in the thread while it ran.
    expect(threadTexts().some((x) => x.includes('rolling back (registry.example/api:1.8.2 → registry.example/api:1.8.1) deployment/api in shop: patched, waiting for the rollout'))).toBe(true);
    expect(threadTexts().at(-1)).toMatch(/^:white_check_mark: <@U0ALICE> ran Roll back on prod: rolled back \(registry\.example\/api:1\.8\.2 → registry\.example\/api:1\.8\.1, revision 1\) deployment\/api in shop: rollout complete in \S+ s \(3\/3 new pods ready\)\.$/);
    expect(await auditOutcomes(name)).toContain('succeeded');
  });

  it('two presses at once roll back once; the other presser hears who started it', async () => {
    const name = deployment('twice');
    const params = rollback(name, 1, 'registry.example/twice:1.8.2 → registry.example/twice:1.8.1');
    const [a, b] = await Promise.all([press(params, { responseId: 'a' }), press(params, { user: 'U0CAROL', responseId: 'b' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('deployment/twice in shop: rollout complete')), 15_000);
    await t.slack.waitFor(() => answers(t).some((c) => /k8s.rollback on prod is already (running|done)/.test(callText(c))));
    expect(patches(name)).toHaveLength(1);
  });

  it('refuses a deployment not on the restartable list, before any request', async () => {
    deployment('billing');
    await press(rollback('billing', 1, 'x → y'), { responseId: 'nr' });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'nr'));
    expect(callText(t.slack.calls.find((c) => c.responseId === 'nr')!)).toContain('deployment/billing in shop is not on the restartable list of prod');
    expect(k.api.requests).toHaveLength(0);
  });

  it('refuses a revision that no longer exists, and one that is no longer the previous: a stale button changes nothing', async () => {
    const gone = deployment('gone');
    await press(rollback(gone, 7, 'registry.example/gone:1.8.2 → registry.example/gone:1.8.0'), { responseId: 'gone' });
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('revision 7 of deployment/gone')));
    expect(threadTexts().at(-1)).toContain(':x: <@U0ALICE> ran Roll back on prod: failed: revision 7 of deployment/gone in shop no longer exists (revisions kept: 1, 2)');

    const again = deployment('again', 3);
    await press(rollback(again, 1, 'registry.example/again:1.8.3 → registry.example/again:1.8.1'), { responseId: 'again' });
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('deployment/again')));
    expect(threadTexts().at(-1)).toContain('revision 1 is no longer the one before the current revision 3 of deployment/again in shop (that is now 2)');
    expect(patches(gone)).toHaveLength(0);
    expect(patches(again)).toHaveLength(0);
    expect(await auditOutcomes(again)).toContain('failed');
  });

  it('refuses a deployment paused since the button was posted, before any patch', async () => {
    const name = deployment('held');
    k.api.get('Deployment', 'shop', name).spec.paused = true;
    await press(rollback(name, 1, 'registry.example/held:1.8.2 → registry.example/held:1.8.1'), { responseId: 'held' });
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('deployment/held')));
    expect(threadTexts().at(-1)).toContain('deployment/held in shop is paused: resume it first (kubectl rollout resume deployment/held -n shop)');
    expect(patches(name)).toHaveLength(0);
    expect(k.api.get('Deployment', 'shop', name).spec.template.spec.containers[0].image).toBe('registry.example/held:1.8.2');
  });

  it('changes nothing when another rollout lands between its checks and its patch', async () => {
    const name = deployment('raced');
    // Someone deploys 2.0.0 while the bot reads the ReplicaSets: the checks passed on the old deployment.
    k.api.beforeAnswer((r) => {
      if (r.method !== 'GET' || !r.path.endsWith('/namespaces/shop/replicasets')) return;
      k.api.beforeAnswer(undefined);
      const live = k.api.get('Deployment', 'shop', name);
      live.spec.template.spec.containers[0].image = 'registry.example/raced:2.0.0';
      live.metadata.generation += 1;
    });
    try {
      await press(rollback(name, 1, 'registry.example/raced:1.8.2 → registry.example/raced:1.8.1'), { responseId: 'raced' });
      await t.slack.waitFor(() => threadTexts().some((x) => x.includes('deployment/raced') && x.includes(':x:')));
    } finally {
      k.api.beforeAnswer(undefined);
    }
    expect(threadTexts().at(-1)).toContain('deployment/raced in shop changed while the rollback was being prepared (another rollout, edit or scale): nothing was changed');
    expect(k.api.get('Deployment', 'shop', name).spec.template.spec.containers[0].image).toBe('registry.example/raced:2.0.0');
  });

  it('patches what the ReplicaSet of the revision holds, whatever the button\'s change text says', async () => {
    const name = deployment('worded');
    await press(rollback(name, 1, 'registry.example/worded:1.8.2 → registry.example/evil:6.6.6'), { responseId: 'worded' });
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('deployment/worded in shop: rollout complete')), 15_000);
    const ops = patches(name)[0]!.body as Array<{ path: string; value: { spec: { containers: Array<{ image: string }> } } }>;
    expect(ops.find((o) => o.path === '/spec/template')!.value.spec.containers.map((c) => c.image)).toEqual(['registry.example/worded:1.8.1']);
    expect(JSON.stringify(k.api.get('Deployment', 'shop', name))).not.toContain('evil');
  });
});
