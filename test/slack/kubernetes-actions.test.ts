// The Kubernetes buttons through the real bot (signed block_actions and view_submission payloads)
// against the local API server: restart with the rollout watched to completion or to a stall,
// refusals of forged, stale and unauthorized presses, once-only under double presses and Slack
// retries, scale through a dialog, logs as a snippet in the thread, delete pod.
import pg from 'pg';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { viewSubmissionBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { kubeDeployment, kubePod } from '../support/kube-objects.ts';
import { kubeTarget, useFakeKubeApi } from '../probes/kubernetes/kube-helpers.ts';
import { answers, pressRemedy } from '../support/press-button.ts';
import { SILENT_IO } from '../../src/actions/action-executor.ts';
import { KUBERNETES_EXECUTORS } from '../../src/probes/kubernetes/kubernetes-actions.ts';
import type { Target } from '../../src/config/config.ts';
import { waitFor } from '../support/wait-for.ts';

const MESSAGE_TS = '1700000001.000100';
const k = useFakeKubeApi();
const t = useHttpTestBot(() => `targets:
  prod:
    kind: kubernetes
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop]
    restartable: [deployment/api-gateway, shop/deployment/paused-api, deployment/stuck]
    deletePods: true
    rolloutPollMs: 20
    timeoutMs: 3000
access:
  k8s.*:
    users: [U0ALICE, U0CAROL]
`);

let seq = 0;
beforeEach(() => {
  k.api.requests.length = 0;
});

/** A deployment of `replicas` running pods, under a fresh name so tests do not share rollouts. */
function deployment(name: string, replicas = 3, extra: { paused?: boolean; progressDeadlineSeconds?: number } = {}): string {
  k.api.add(kubeDeployment({ namespace: 'shop', name, replicas, ...extra }));
  for (let i = 0; i < replicas; i++) k.api.add(kubePod({ namespace: 'shop', name: `${name}-5d4f8c7b9-${i}x${seq++}`, owner: { kind: 'Deployment', name } }));
  return name;
}

function press(action: string, params: Record<string, string | number>, options: { user?: string; target?: string; headers?: Record<string, string>; responseId?: string } = {}) {
  return pressRemedy(t, { action, params, target: options.target ?? 'prod' }, { userId: options.user ?? 'U0ALICE', responseId: options.responseId ?? 'p', ...(options.headers && { headers: options.headers }) });
}

const restart = (name: string, extra: Record<string, string | number> = {}) => ({ namespace: 'shop', workload: 'deployment', name, replicas: 3, ...extra });
const patches = (path: string) => k.api.requests.filter((r) => r.method === 'PATCH' && r.path === path);
const threadTexts = () => [...t.slack.callsTo('chat.postMessage'), ...t.slack.callsTo('chat.update')].map((c) => String(c.args.text));

async function auditOutcomes(action: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return (await c.query<{ outcome: string }>('SELECT outcome FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows.map((r) => r.outcome);
  } finally {
    await c.end();
  }
}

describe('k8s.restart', () => {
  it('patches the restartedAt annotation as kubectl does, then shows the rollout until it completes', async () => {
    const name = deployment('api-gateway');
    expect((await press('k8s.restart', restart(name))).status).toBe(200);
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('rollout complete')), 15_000);

    const [patch, ...more] = patches(`/apis/apps/v1/namespaces/shop/deployments/${name}`);
    expect(more).toHaveLength(0);
    expect(patch!.contentType).toBe('application/strategic-merge-patch+json');
    const annotations = (patch!.body as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations;
    expect(annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // One thread reply, edited in place: patched, pods coming up, then the outcome.
    const [progress, ...otherPosts] = t.slack.callsTo('chat.postMessage');
    expect(otherPosts).toHaveLength(0);
    expect(progress!.args).toMatchObject({ channel: 'C0OPS', thread_ts: MESSAGE_TS });
    expect(String(progress!.args.text)).toContain('<@U0ALICE> restarting deployment/api-gateway in shop: patched, waiting for the rollout');
    const updates = t.slack.callsTo('chat.update').map((c) => String(c.args.text));
    expect(updates.some((x) => /new pods ready/.test(x))).toBe(true);
    expect(updates.at(-1)).toMatch(/^:white_check_mark: <@U0ALICE> ran Restart on prod: restarted deployment\/api-gateway in shop: rollout complete in \S+ s \(3\/3 new pods ready\)\.$/);
    const live = k.api.get('Deployment', 'shop', name);
    expect(live.status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3, observedGeneration: live.metadata.generation });
    expect(await auditOutcomes('k8s.restart')).toContain('succeeded');
  });

  it('a paused deployment is refused with "resume it first" and not patched', async () => {
    const name = deployment('paused-api', 2, { paused: true });
    await press('k8s.restart', restart(name, { replicas: 2 }));
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('paused')));
    expect(threadTexts().at(-1)).toContain(':x: <@U0ALICE> ran Restart on prod: failed: deployment/paused-api in shop is paused: resume it first (kubectl rollout resume deployment/paused-api -n shop)');
    expect(patches(`/apis/apps/v1/namespaces/shop/deployments/${name}`)).toHaveLength(0);
  });

  it('a rollout that stops making progress is reported stalled after its deadline', async () => {
    const name = deployment('stuck', 3, { progressDeadlineSeconds: 1 });
    k.api.stallRollout('shop', name, { afterReady: 1 });
    await press('k8s.restart', restart(name));
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('stalled')), 15_000);
    expect(threadTexts().at(-1)).toMatch(/^:x: <@U0ALICE> ran Restart on prod: failed: restarted deployment\/stuck in shop, but the rollout stalled after \S+ s: ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  });

  it('refuses forged and stale payloads: a workload not on the list, a namespace not watched, a daemonset scale', async () => {
    deployment('payments');
    const refusals: Array<[string, Record<string, string | number>, string]> = [
      ['k8s.restart', restart('payments'), 'deployment/payments in shop is not on the restartable list of prod'],
      ['k8s.restart', { ...restart('api-gateway'), namespace: 'kube-system' }, 'namespace kube-system is not watched by prod'],
      ['k8s.restart', { ...restart('api-gateway'), workload: 'cronjob' }, 'parameter \\"workload\\" must be one of deployment, statefulset, daemonset, got \\"cronjob\\"'],
      ['k8s.delete_pod', { namespace: 'kube-system', pod: 'coredns-1' }, 'namespace kube-system is not watched by prod'],
    ];
    for (const [i, [action, params, reason]] of refusals.entries()) {
      await press(action, params, { responseId: `r${i}` });
      await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === `r${i}`));
      expect(callText(t.slack.calls.find((c) => c.responseId === `r${i}`)!)).toContain(reason);
    }
    expect(k.api.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a user no rule names is denied, privately, and nothing is patched', async () => {
    deployment('api-gateway');
    await press('k8s.restart', restart('api-gateway'), { user: 'U0BOB' });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain('You are not allowed to run k8s.restart on prod/shop/api-gateway (ask <@U0ALICE> or <@U0CAROL>).');
    expect(k.api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    expect(await auditOutcomes('k8s.restart')).toContain('denied');
  });
});

describe('once per message, action and parameters', () => {
  it('two presses within 100 ms and a Slack retry patch once; the others hear who started it', async () => {
    const name = deployment('api-gateway');
    const params = restart(name, { replicas: 4 }); // a key of its own: earlier tests restarted this deployment
    const [a, b] = await Promise.all([press('k8s.restart', params, { responseId: 'a' }), press('k8s.restart', params, { user: 'U0CAROL', responseId: 'b' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await press('k8s.restart', params, { responseId: 'retry', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('rollout complete')), 15_000);
    await t.slack.waitFor(() => answers(t).length >= 2);
    expect(patches(`/apis/apps/v1/namespaces/shop/deployments/${name}`)).toHaveLength(1);
    const told = answers(t).map(callText);
    expect(told.every((x) => /k8s.restart on prod is already (running|done)/.test(x) && /started by <@U0(ALICE|CAROL)>/.test(x))).toBe(true);
  });
});

describe('k8s.scale', () => {
  it('opens a dialog for the replica count, then scales through the scale subresource', async () => {
    const name = deployment('api-gateway');
    await press('k8s.scale', { namespace: 'shop', workload: 'deployment', name });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'views.open'));
    const open = t.slack.callsTo('views.open')[0]!;
    expect(open.args.trigger_id).toMatch(/\.abcdef$/);
    const view = (typeof open.args.view === 'string' ? JSON.parse(open.args.view) : open.args.view) as { callback_id: string; private_metadata: string };
    expect(callText(open)).toContain('Scale deployment api-gateway in prod/shop');
    expect(k.api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    const submit = (value: string) => t.send(viewSubmissionBody({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { value: { value: { type: 'plain_text_input', value } } } }));
    const bad = await submit('lots');
    expect(await bad.json()).toEqual({ response_action: 'errors', errors: { value: 'a whole number from 0 to 100, got "lots"' } });

    expect((await submit('5')).status).toBe(200);
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('scaled')));
    const [patch] = patches(`/apis/apps/v1/namespaces/shop/deployments/${name}/scale`);
    expect(patch!.body).toEqual({ spec: { replicas: 5 } });
    expect(threadTexts().at(-1)).toBe(':white_check_mark: <@U0ALICE> ran Scale on prod: scaled deployment/api-gateway in shop from 3 to 5 replicas.');
  });
});

describe('k8s.scale dialog closed', () => {
  it('closing the dialog is audited as cancelled, and its confirmation can no longer scale', async () => {
    const name = deployment('api-gateway'); // on the target's restartable list
    const before = await lastAuditId();
    await press('k8s.scale', { namespace: 'shop', workload: 'deployment', name });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'views.open'));
    const raw = t.slack.callsTo('views.open')[0]!.args.view;
    const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { callback_id: string; private_metadata: string; notify_on_close?: boolean };
    expect(view.notify_on_close).toBe(true);
    const closed = { type: 'view_closed', team: { id: 'T0FAKE' }, user: { id: 'U0ALICE' }, api_app_id: 'A0APP', is_cleared: false, view: { id: 'V0CLOSED', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: {} }, hash: '1.x' } };
    expect((await t.send(new URLSearchParams({ payload: JSON.stringify(closed) }).toString())).status).toBe(200);
    await waitFor(async () => (await auditSince(before, 'k8s.scale', { name })).some((r) => r.outcome === 'cancelled'), 5_000, 'the cancelled row');
    // The dialog's confirmation is spent: a late submission of it scales nothing.
    await t.send(viewSubmissionBody({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { value: { value: { type: 'plain_text_input', value: '7' } } } }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /This confirmation was already used/.test(String(c.args.text))));
    expect(patches(`/apis/apps/v1/namespaces/shop/deployments/${name}/scale`)).toHaveLength(0);
    expect((await auditSince(before, 'k8s.scale', { name })).map((r) => r.outcome)).toEqual(['cancelled']);
  });
});

describe('k8s.logs and k8s.delete_pod', () => {
  it('posts the previous instance\'s last lines as a snippet in the thread, error lines marked, secrets masked', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'worker-0', containers: [{ name: 'app', restartCount: 3, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 30 } } }] }));
    const lines = Array.from({ length: 80 }, (_, i) => `line ${i}`);
    lines.push('connecting with Authorization: Bearer abc.def.ghi', 'ERROR could not connect to db: connection refused');
    k.api.setLogs('shop', 'worker-0', 'app', { current: 'fresh start\n', previous: `${lines.join('\n')}\n` });
    await press('k8s.logs', { namespace: 'shop', pod: 'worker-0', container: 'app', previous: 'yes' });
    await t.slack.waitFor(() => t.slack.uploads.length === 1 && threadTexts().some((x) => x.includes('posted')));
    const upload = t.slack.uploads[0]!;
    expect(upload.filename).toBe('worker-0-app-previous.log');
    const text = upload.bytes.toString('utf8');
    expect(text.split('\n')).toHaveLength(50);
    expect(text).toContain('>> ERROR could not connect to db: connection refused');
    expect(text).toContain('   line 79');
    expect(text).not.toContain('abc.def.ghi');
    expect(k.api.requests.find((r) => r.path.endsWith('/pods/worker-0/log'))?.query).toMatchObject({ container: 'app', tailLines: '50', previous: 'true' });
    expect(threadTexts().at(-1)).toContain('posted the last 50 log lines of worker-0/app in shop, previous instance; 1 error lines marked');
  });

  it('deletes one pod when the target allows it', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'stuck-pod' }));
    await press('k8s.delete_pod', { namespace: 'shop', pod: 'stuck-pod' });
    await t.slack.waitFor(() => threadTexts().some((x) => x.includes('deleted pod')));
    expect(k.api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/v1/namespaces/shop/pods/stuck-pod']);
    expect(k.api.get('Pod', 'shop', 'stuck-pod')).toBeUndefined();
  });
});

/** The text as it appears inside the JSON of a recorded Slack call (quotes escaped). */
const inJson = (text: string) => JSON.stringify(text).slice(1, -1);

async function lastAuditId(): Promise<number> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return Number((await c.query<{ id: string | null }>('SELECT max(id) AS id FROM audit_log')).rows[0]?.id ?? 0);
  } finally {
    await c.end();
  }
}

/** Audit rows of `action` written after row `afterId`: outcome, params and detail. */
/** Audit rows of `action` since `afterId`; with `params`, only the rows that have those (other files press k8s.restart on the shared store too). */
async function auditSince(afterId: number, action: string, params?: object): Promise<Array<{ outcome: string; params: Record<string, unknown>; detail: string | null }>> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return (await c.query('SELECT outcome, params, detail FROM audit_log WHERE id > $1 AND action = $2 AND ($3::jsonb IS NULL OR params @> $3::jsonb) ORDER BY id', [afterId, action, params ? JSON.stringify(params) : null])).rows;
  } finally {
    await c.end();
  }
}

const SUBDOMAIN = 'a Kubernetes object name (DNS-1123 subdomain)';
const LABEL_NS = 'a Kubernetes namespace name (DNS-1123 label)';

describe('names are checked as Kubernetes names before any request', () => {
  it.each([
    ['pod ".."', { namespace: 'shop', pod: '..' }, `parameter "pod" must be ${SUBDOMAIN}`, 'got ".."'],
    ['pod "../.."', { namespace: 'shop', pod: '../..' }, `parameter "pod" must be ${SUBDOMAIN}`, 'got "../.."'],
    ['pod "%2e%2e"', { namespace: 'shop', pod: '%2e%2e' }, `parameter "pod" must be ${SUBDOMAIN}`, 'got "%2e%2e"'],
    ['pod "stuck-pod/eviction"', { namespace: 'shop', pod: 'stuck-pod/eviction' }, `parameter "pod" must be ${SUBDOMAIN}`, 'got "stuck-pod/eviction"'],
    ['namespace ".."', { namespace: '..', pod: 'stuck-pod' }, `parameter "namespace" must be ${LABEL_NS}`, 'got ".."'],
    ['namespace ".." and pod ".."', { namespace: '..', pod: '..' }, `parameter "namespace" must be ${LABEL_NS}`, 'got ".."'],
  ])('Delete pod with %s is refused, privately, audited "refused", and the API server receives nothing', async (_name, params, reason, got) => {
    k.api.add(kubePod({ namespace: 'shop', name: 'stuck-pod' }));
    const before = await lastAuditId();
    expect((await pressRemedy(t, { action: 'k8s.delete_pod', params, target: 'prod' }, { userId: 'U0ALICE' })).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = t.slack.callsTo('respond')[0]!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toContain(inJson(reason));
    expect(callText(reply)).toContain(inJson(got));
    const rows = await auditSince(before, 'k8s.delete_pod');
    expect(rows.map((r) => r.outcome)).toEqual(['refused']);
    expect(rows[0]!.params).toEqual(params);
    // Not a single request: no DELETE of the namespace or of /api/v1, not even a read.
    expect(k.api.requests).toEqual([]);
    expect(k.api.get('Pod', 'shop', 'stuck-pod')).toBeDefined();
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it.each([
    ['k8s.logs', { namespace: 'shop', pod: '..', container: 'app', previous: 'no' }, `parameter "pod" must be ${SUBDOMAIN}`],
    ['k8s.logs', { namespace: 'shop', pod: 'worker-0', container: '../../../api/v1/namespaces', previous: 'no' }, 'parameter "container" must be a Kubernetes container name (DNS-1123 label)'],
    ['k8s.logs', { namespace: '..', pod: 'worker-0', container: 'app', previous: 'no' }, `parameter "namespace" must be ${LABEL_NS}`],
    ['k8s.restart', { namespace: 'shop', workload: 'deployment', name: '..', replicas: 3 }, `parameter "name" must be ${SUBDOMAIN}`],
    ['k8s.restart', { namespace: '..', workload: 'deployment', name: 'api-gateway', replicas: 3 }, `parameter "namespace" must be ${LABEL_NS}`],
    ['k8s.restart', { namespace: 'shop', workload: 'deployment', name: 'Api-Gateway', replicas: 3 }, `parameter "name" must be ${SUBDOMAIN}`],
    ['k8s.scale', { namespace: 'shop', workload: 'deployment', name: 'api-gateway/../..' }, `parameter "name" must be ${SUBDOMAIN}`],
  ])('%s with %j is refused and nothing is sent', async (action, params, reason) => {
    const before = await lastAuditId();
    await pressRemedy(t, { action, params, target: 'prod' }, { userId: 'U0ALICE' });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain(inJson(reason));
    expect((await auditSince(before, action, params)).map((r) => r.outcome)).toEqual(['refused']);
    expect(k.api.requests).toEqual([]);
    expect(t.slack.callsTo('views.open')).toHaveLength(0);
    expect(t.slack.uploads).toHaveLength(0);
  });

  it('the executors check the names again themselves: called directly with "..", they send nothing', async () => {
    const target = kubeTarget({ kubeconfig: k.kubeconfig, target: { namespaces: ['shop'], restartable: ['deployment/api-gateway'], deletePods: true } }) as unknown as Target;
    const calls: Array<[string, Record<string, string | number>, RegExp]> = [
      ['k8s.delete_pod', { namespace: 'shop', pod: '..' }, /^nothing was sent: parameter "pod" must be a Kubernetes object name/],
      ['k8s.delete_pod', { namespace: '..', pod: 'x' }, /^nothing was sent: parameter "namespace" must be a Kubernetes namespace name/],
      ['k8s.logs', { namespace: 'shop', pod: 'x', container: '..', previous: 'no' }, /^nothing was sent: parameter "container" must be a Kubernetes container name/],
      ['k8s.restart', { namespace: 'shop', workload: 'deployment', name: '../..', replicas: 1 }, /^nothing was sent: parameter "name"/],
      ['k8s.scale', { namespace: 'shop', workload: 'deployment', name: 'api-gateway', replicas: 5000 }, /^nothing was sent: parameter "replicas" must be a whole number from 0 to 100, got 5000$/],
    ];
    for (const [action, params, message] of calls) {
      await expect(KUBERNETES_EXECUTORS[action]!.run(target, params, SILENT_IO), action).rejects.toThrow(message);
    }
    expect(k.api.requests).toEqual([]);
  });
});

describe('Scale with the replica count already in the button value', () => {
  it.each([[5000], [Number.MAX_SAFE_INTEGER], [101]])('replicas %s is refused, no dialog opens and nothing is patched', async (replicas) => {
    const name = deployment('api-gateway');
    const before = await lastAuditId();
    await pressRemedy(t, { action: 'k8s.scale', params: { namespace: 'shop', workload: 'deployment', name, replicas }, target: 'prod' }, { userId: 'U0ALICE' });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = callText(t.slack.callsTo('respond')[0]!);
    expect(reply).toContain('replicas');
    expect(t.slack.callsTo('views.open')).toHaveLength(0);
    expect(k.api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(k.api.get('Deployment', 'shop', name).spec.replicas).toBe(3);
    expect((await auditSince(before, 'k8s.scale')).map((r) => r.outcome)).toEqual(['refused']);
  });
});
