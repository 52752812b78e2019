// Requests that must never do work, sent to the real bot: timestamps out of the window in either
// direction, malformed bodies that once crashed it, retries and replays of state-changing
// requests, command text with characters no one types. The bot answers each one, once, and keeps
// answering afterwards.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, SIGNING_SECRET, useHttpTestBot } from '../support/test-bot.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';

const t = useHttpTestBot(() => `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
${INCIDENTS_YAML}`, { ownStore: 'guard' });

const url = () => `http://127.0.0.1:${t.bot.port}/slack/events`;

/** In this file's bot's own store (its incidents page no other file's bot). */
async function count(sql: string, params: unknown[] = []): Promise<number> {
  const c = new pg.Client({ connectionString: t.storeUrl });
  await c.connect();
  try {
    return Number((await c.query(sql, params)).rows[0].n);
  } finally {
    await c.end();
  }
}

const incidentsTitled = (title: string) => count('SELECT count(*) AS n FROM incidents WHERE title = $1', [title]);

/** The bot still serves: health and a real command. */
async function stillAnswers(): Promise<void> {
  expect((await fetch(`http://127.0.0.1:${t.bot.port}/healthz`)).status).toBe(200);
  t.slack.reset();
  expect((await t.send(slashCommandBody({ command: '/runbook', text: '', responseUrl: t.slack.responseUrl('alive') }))).status).toBe(200);
  await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 'alive'));
}

describe('requests that must not do work', () => {
  it.each([
    ['an hour in the future', 3600],
    ['ten years in the future', 10 * 365 * 24 * 3600],
    ['six minutes in the future', 6 * 60],
    ['six minutes old', -6 * 60],
  ])('a correctly signed request timestamped %s is refused with 401 before any work', async (_name, offset) => {
    const title = `clock skew ${offset}`;
    const body = slashCommandBody({ command: '/incident', text: `declare sev3 ${title}`, responseUrl: t.slack.responseUrl('skew') });
    const res = await postSigned(url(), body, { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) + offset });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await incidentsTitled(title)).toBe(0);
    expect(t.slack.calls.filter((c) => c.method === 'respond' || c.method.startsWith('chat.'))).toHaveLength(0);
  });

  it("a command whose response_url is this workspace's on Slack's hooks is taken", async () => {
    // /diag answers with chat.postMessage: nothing goes to the (unreachable here) hooks URL.
    const body = slashCommandBody({ command: '/diag', text: 'db', responseUrl: 'https://hooks.slack.com/commands/T0FAKE/123/abc' });
    expect((await postSigned(url(), body, { secret: SIGNING_SECRET })).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'));
  });

  it('four minutes either way is within the window', async () => {
    const title = 'clock skew within';
    const body = slashCommandBody({ command: '/incident', text: `declare sev4 ${title}`, responseUrl: t.slack.responseUrl('ok') });
    expect((await postSigned(url(), body, { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) + 240 })).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    expect(await incidentsTitled(title)).toBe(1);
  });

  it.each([
    ['payload=null', 'payload=null'],
    ['payload={}', 'payload=%7B%7D'],
    ['payload=[]', 'payload=%5B%5D'],
    ['a payload that is a string', `payload=${encodeURIComponent('"x"')}`],
    ['a payload that is not JSON', 'payload=%7Bnot json'],
    ['block_actions without a user', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'incident:resolve', value: '1' }] }))}`],
    ['block_actions with a null user id', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: null }, actions: [{ action_id: 'incident:resolve', value: '1' }] }))}`],
    ['block_actions without actions', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' } }))}`],
    ['block_actions whose action is null', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, actions: [null] }))}`],
    ['a view_submission without a view', `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U0ALICE' } }))}`],
    ['a slash command without a user', 'command=%2Fincident&text=declare+sev1+x&channel_id=C0OPS'],
    ['neither a command nor a payload', 'hello=world'],
    ['ssl_check smuggling a null payload', 'ssl_check=0&payload=null'],
    ['ssl_check=1 with a command riding along', 'ssl_check=1&command=%2Fincident&text=list&user_id=U0ALICE&channel_id=C0OPS'],
    ['a repeated payload field', `payload=${encodeURIComponent(JSON.stringify({ type: 'view_closed', user: { id: 'U0ALICE' }, view: {} }))}&payload=x&command=%2Fdiag&text=db`],
    ['a repeated command field', 'command=%2Fdiag&command=%2Fincident&text=list&user_id=U0ALICE&channel_id=C0OPS'],
    ['a payload that looks like a command without a user', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', command: '/incident', text: 'list' }))}`],
    ['two actions in one press', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, actions: [{ action_id: 'runbook:open', value: 'x' }, { action_id: 'runbook:open', value: 'y' }] }))}`],
    ['JSON nested 100,000 deep', `payload=${encodeURIComponent(`{"type":"block_actions","user":{"id":"U0ALICE"},"actions":[{"action_id":"runbook:open"}],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)}`],
    ['an action payload that says interactive_message', `payload=${encodeURIComponent(JSON.stringify({ type: 'interactive_message', user: { id: 'U0ALICE' }, response_url: 'https://hooks.slack.com/x', actions: [{ action_id: 'remedy:postgres.terminate_backend', value: '{}' }] }))}`],
    ['a dialog_submission carrying an action id', `payload=${encodeURIComponent(JSON.stringify({ type: 'dialog_submission', user: { id: 'U0ALICE' }, action_id: 'remedy:postgres.terminate_backend', value: '{}' }))}`],
    ['a block_suggestion', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_suggestion', user: { id: 'U0ALICE' }, action_id: 'x', value: 'a' }))}`],
    ['a shortcut', `payload=${encodeURIComponent(JSON.stringify({ type: 'shortcut', user: { id: 'U0ALICE' }, callback_id: 'x' }))}`],
    ['a payload carrying a slash command', `payload=${encodeURIComponent(JSON.stringify({ type: 'view_closed', user: { id: 'U0ALICE' }, command: '/incident', user_id: 'U0ALICE', channel_id: 'C0OPS', text: 'list' }))}`],
    ['a slash command carrying an event', 'command=%2Fincident&text=list&user_id=U0ALICE&channel_id=C0OPS&event=x'],
    ['a press whose response_url is not Slack\'s', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, response_url: 'http://attacker.example/collect', actions: [{ action_id: 'runbook:open', value: 'x' }] }))}`],
    ['a slash command whose response_url is not Slack\'s', 'command=%2Fdiag&text=db&user_id=U0ALICE&channel_id=C0OPS&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fcollect'],
    ['a press whose response_urls is an array-like object', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, response_urls: { length: 1, 0: { response_url: 'http://127.0.0.1:9/steal' } }, actions: [{ action_id: 'runbook:open', value: 'x' }] }))}`],
    ['a press whose response_url is an incoming webhook', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, response_url: 'https://hooks.slack.com/services/T0OTHER/B1/xyz', actions: [{ action_id: 'runbook:open', value: 'x' }] }))}`],
    ['a press whose response_url is another workspace\'s', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, response_url: 'https://hooks.slack.com/actions/T0OTHER/1/abc', actions: [{ action_id: 'runbook:open', value: 'x' }] }))}`],
    ['a press whose response_url is empty', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE' }, response_url: '', actions: [{ action_id: 'runbook:open', value: 'x' }] }))}`],
  ])('%s is answered 400, reaches no listener, and the bot keeps serving', async (_name, body) => {
    const res = await postSigned(url(), body, { secret: SIGNING_SECRET });
    expect(res.status).toBe(400);
    await stillAnswers();
  });

  it.each([
    ['an event callback carrying a slash command', JSON.stringify({ type: 'event_callback', command: '/diag', text: 'nosuch', user_id: 'U0ALICE', channel_id: 'C0OPS' })],
    ['a URL verification carrying actions', JSON.stringify({ type: 'url_verification', challenge: 'x', actions: [{ action_id: 'runbook:open', value: 'x' }], user: { id: 'U0ALICE' } })],
    ['a JSON slash command', JSON.stringify({ type: 'x', command: '/incident', text: 'list' })],
    ['a JSON press without a user', JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'incident:resolve', value: '1' }] })],
  ])('%s (content type JSON) is answered 400', async (_name, body) => {
    const res = await postSigned(url(), body, { secret: SIGNING_SECRET, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    await stillAnswers();
  });

  it('a body over 1 MiB is answered 413', async () => {
    const body = `command=%2Frunbook&user_id=U0ALICE&channel_id=C0OPS&text=${'a'.repeat(1024 * 1024)}`;
    expect((await postSigned(url(), body, { secret: SIGNING_SECRET })).status).toBe(413);
    await stillAnswers();
  });

  it('a signed /incident declare replayed three times, and retried by Slack, declares one incident', async () => {
    const title = 'replayed declaration';
    const body = slashCommandBody({ command: '/incident', text: `declare sev2 ${title}`, responseUrl: t.slack.responseUrl('replay') });
    const timestamp = Math.floor(Date.now() / 1000);
    const sends = [
      postSigned(url(), body, { secret: SIGNING_SECRET, timestamp }),
      postSigned(url(), body, { secret: SIGNING_SECRET, timestamp }),
      postSigned(url(), body, { secret: SIGNING_SECRET, timestamp }),
      postSigned(url(), body, { secret: SIGNING_SECRET, timestamp: timestamp + 1, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
    ];
    for (const res of await Promise.all(sends)) expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && callText(c).includes(title)));
    await new Promise((r) => setTimeout(r, 500));
    expect(await incidentsTitled(title)).toBe(1);
  });

  it('the same text sent again as a new command (a new trigger) is a new request', async () => {
    const title = 'declared twice on purpose';
    for (const id of ['one', 'two']) {
      await t.send(slashCommandBody({ command: '/incident', text: `declare sev4 ${title}`, responseUrl: t.slack.responseUrl(id) }));
    }
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage' && callText(c).includes(title)).length >= 2);
    expect(await incidentsTitled(title)).toBe(2);
  });

  it.each([
    ['a NUL byte in a title', 'declare sev1 db\u0000down', 'U+0000'],
    ['a NUL byte in sev1', 'sev1\u0000 db down', 'U+0000'],
    ['a NUL byte in a note', 'note 1 a\u0000b', 'U+0000'],
    ['a right-to-left override', 'declare sev2 pay\u202Emoc.evil', 'U+202E'],
    ['an escape sequence', 'declare sev2 \u001b[31mred', 'U+001B'],
  ])('%s gets a usage message naming the character, and nothing is stored', async (_name, text, named) => {
    const before = await count('SELECT count(*) AS n FROM incidents');
    await t.send(slashCommandBody({ command: '/incident', text, responseUrl: t.slack.responseUrl('bad') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 'bad'));
    const reply = callText(t.slack.callsTo('respond').find((c) => c.responseId === 'bad')!);
    expect(reply).toContain(named);
    expect(reply).toContain('Usage: `/incident');
    expect(reply).not.toContain('internal error');
    expect(await count('SELECT count(*) AS n FROM incidents')).toBe(before);
  });
});
