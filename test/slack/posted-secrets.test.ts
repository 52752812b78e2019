// Whatever a monitored system says, the configured secrets of every target never reach Slack: a
// pod's log that prints another target's database password, Redis password and API key (raw,
// URL-encoded, base64) is posted as a snippet with each of them masked, and so is everything else
// the press posts.
import { describe, expect, it } from 'vitest';
import { kubePod } from '../support/kube-objects.ts';
import { useFakeKubeApi } from '../probes/kubernetes/kube-helpers.ts';
import { pressRemedy } from '../support/press-button.ts';
import { useHttpTestBot } from '../support/test-bot.ts';

const DB_PASSWORD = 'Pg-Secret-7f3a9c';
const REDIS_PASSWORD = 'redis/secret+42';
const API_KEY = 'k3y-0f-the-payments-api';

const k = useFakeKubeApi();
const t = useHttpTestBot(() => `targets:
  prod:
    kind: kubernetes
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop]
  orders-db:
    kind: postgres
    url: postgres://app:${DB_PASSWORD}@127.0.0.1:1/orders
  sessions:
    kind: redis
    url: redis://:${encodeURIComponent(REDIS_PASSWORD)}@127.0.0.1:1
  payments-api:
    kind: http
    url: http://127.0.0.1:1/health
    headers:
      X-Api-Key: ${API_KEY}
access:
  k8s.*:
    users: [U0ALICE]
`);

describe('configured secrets in what a press posts', () => {
  it('a Logs snippet masks every configured secret of every target, in every form', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'leaky-0' }));
    const log = [
      `connecting to postgres with password ${DB_PASSWORD}`,
      `redis auth ${REDIS_PASSWORD} (encoded ${encodeURIComponent(REDIS_PASSWORD)})`,
      `calling payments with key=${API_KEY}`,
      `basic ${Buffer.from(API_KEY).toString('base64')}`,
      'ERROR done',
    ].join('\n');
    k.api.setLogs('shop', 'leaky-0', 'app', { current: `${log}\n` });
    await pressRemedy(t, { action: 'k8s.logs', params: { namespace: 'shop', pod: 'leaky-0', container: 'app', previous: 'no' }, target: 'prod' });
    await t.slack.waitFor(() => t.slack.uploads.length === 1 && t.slack.callsTo('chat.update').length + t.slack.callsTo('chat.postMessage').length > 0);
    const posted = [t.slack.uploads[0]!.bytes.toString('utf8'), JSON.stringify(t.slack.calls)].join('\n');
    expect(posted).toContain('connecting to postgres with password ***');
    for (const secret of [DB_PASSWORD, REDIS_PASSWORD, encodeURIComponent(REDIS_PASSWORD), API_KEY, Buffer.from(API_KEY).toString('base64')]) {
      expect(posted).not.toContain(secret);
    }
  });
});
