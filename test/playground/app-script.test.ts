// The page's script (assets/app.js) in headless Chromium, against a small HTTP server of this test
// that serves the real page, assets and rendered HTML under the playground's CSP, streams events
// the test sends, and records what the page POSTs. It checks the script itself: messages in place
// (created, updated, in threads, in other channels, in the side panel), markup in a message staying
// text, the composer, presses with the in-page confirmation, dialogs with their errors, and errors
// shown rather than swallowed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/message/message.ts';
import { date, header, line, section, text } from '../../src/message/message.ts';
import { buttonsInOrder } from '../../src/playground/buttons-in-order.ts';
import type { PlaygroundDialog, PlaygroundMessage } from '../../src/playground/playground-types.ts';
import { renderDialogHtml } from '../../src/playground/render-dialog-html.ts';
import { renderMessageHtml } from '../../src/playground/render-html.ts';
import { renderPage } from '../../src/playground/render-page.ts';
import { launchBrowser, type HeadlessBrowser } from '../support/browser.ts';

const ASSETS = path.join(import.meta.dirname, '../../src/playground/assets');
/** The playground server's policy (playground-server.ts): the script must work under it. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TOKEN = 'test-token-1';
const PEOPLE = new Map([
  ['U0ME', 'you'],
  ['U0ONCALL', 'oncall (placeholder)'],
]);

interface Posted {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

let server: http.Server;
let base = '';
let chromium: HeadlessBrowser | undefined;
let page: Page;
const streams: http.ServerResponse[] = [];
const posted: Posted[] = [];
const postWaiters: Array<() => void> = [];
/** How the test server answers the next POSTs (default: 200 {ok: true}). */
const answers: Array<{ status: number; body: unknown }> = [];
const problems: string[] = [];

function send(event: unknown): void {
  for (const s of streams) s.write(`data: ${JSON.stringify(event)}\n\n`);
}

/** Resolves with the next POST the page makes. */
function nextPost(): Promise<Posted> {
  const count = posted.length;
  return new Promise((resolve) => {
    const check = () => (posted.length > count ? resolve(posted[count]!) : postWaiters.push(check));
    check();
  });
}

function msg(ts: string, message: Message, more: Partial<PlaygroundMessage> = {}): PlaygroundMessage {
  return { ts, channel: 'C0OPS', message, buttons: buttonsInOrder(message).map((_, i) => ({ actionId: `a${i}` })), nonce: 'n', postedAt: '2026-12-02T10:00:00.000Z', ...more };
}

function messageEvent(m: PlaygroundMessage, created = true) {
  return {
    type: 'message',
    channel: m.channel,
    ts: m.ts,
    version: m.nonce,
    ...(m.threadTs && { threadTs: m.threadTs }),
    panel: m.channel.startsWith('U'),
    ephemeral: m.ephemeralTo !== undefined,
    created,
    html: renderMessageHtml(m, { people: PEOPLE, viewer: 'U0ME', channels: new Map([['C0OPS', 'ops']]) }),
  };
}

function dialog(id: string): PlaygroundDialog {
  return {
    id,
    callbackId: 'incident-declare',
    title: 'Declare incident',
    submitLabel: 'Declare',
    closeLabel: 'Cancel',
    intro: ['The report of db-main is attached to the incident.'],
    fields: [
      { kind: 'text', blockId: 'title', actionId: 'title', label: 'Title', initial: 'db-main: CRIT' },
      { kind: 'select', blockId: 'severity', actionId: 'severity', label: 'Severity', options: [1, 2, 3, 4].map((s) => ({ value: `sev${s}`, text: `SEV-${s}` })), initial: 'sev2' },
    ],
    signedMetadata: 's',
    notifyOnClose: false,
    openedAt: '2026-12-02T10:00:00.000Z',
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('content-security-policy', CSP);
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      const channels = [
        { id: 'C0OPS', name: 'ops' },
        { id: 'C0INC', name: 'incidents' },
      ];
      return void res.end(renderPage({ title: 'chatops playground', banner: { config: 'demo config', lines: [] }, channels, user: { id: 'U0ME', name: 'you' }, token: TOKEN, listening: base }));
    }
    if (req.method === 'GET' && (url === '/assets/app.js' || url === '/assets/app.css')) {
      res.setHeader('content-type', url.endsWith('.js') ? 'text/javascript' : 'text/css');
      return void res.end(readFileSync(path.join(ASSETS, url.slice('/assets/'.length))));
    }
    if (req.method === 'GET' && url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': open\n\n');
      streams.push(res);
      return;
    }
    if (req.method === 'POST' && url.startsWith('/api/')) {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        posted.push({ path: url, headers: req.headers, body: JSON.parse(raw) });
        const answer = answers.shift() ?? { status: 200, body: { ok: true } };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
        for (const w of postWaiters.splice(0)) w();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  chromium = await launchBrowser();
  page = await chromium.browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}/`);
  await page.locator('#connection', { hasText: 'live' }).waitFor();
});

afterAll(async () => {
  await chromium?.close();
  for (const s of streams) s.end();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the page script', () => {
  it('passes node --check', () => {
    execFileSync(process.execPath, ['--check', path.join(ASSETS, 'app.js')]);
  });

  it('shows a message where it belongs, localises its times, and updates it in place', async () => {
    const first = msg('100.000001', { notification: [], blocks: [header('db-main: CRIT', 'crit'), section(line('at ', date('2026-12-01T14:03:07Z')))] });
    send(messageEvent(first));
    const article = page.locator('[data-channel-view="C0OPS"] article.msg[data-ts="100.000001"]');
    await article.waitFor();
    await expect(article.locator('h3').textContent()).resolves.toContain('db-main: CRIT');
    // Localised: the UTC words the server wrote move to the tooltip.
    await expect(article.locator('.section time').getAttribute('title')).resolves.toBe('2026-12-01 14:03 UTC');
    send(messageEvent(msg('100.000001', { notification: [], blocks: [section(line('now ok'))] }, { editedAt: '2026-12-02T10:01:00.000Z' }), false));
    await page.locator('article.msg[data-ts="100.000001"] .edited').waitFor();
    await expect(page.locator('article.msg[data-ts="100.000001"]').count()).resolves.toBe(1);
    await expect(page.locator('article.msg[data-ts="100.000001"]').textContent()).resolves.toContain('now ok');
  });

  it('puts a reply in its thread under the parent, even when the parent is updated after', async () => {
    send(messageEvent(msg('100.000002', { notification: [], blocks: [section(line('parent'))] })));
    send(messageEvent(msg('100.000003', { notification: [], blocks: [section(line('reply'))] }, { threadTs: '100.000002' })));
    await page.locator('.thread[data-thread-of="100.000002"] article.msg[data-ts="100.000003"]').waitFor();
    send(messageEvent(msg('100.000002', { notification: [], blocks: [section(line('parent, edited'))] }), false));
    await page.locator('article.msg[data-ts="100.000002"]', { hasText: 'parent, edited' }).waitFor();
    await expect(page.locator('.entry[data-entry="100.000002"] .thread article.msg[data-ts="100.000003"]').count()).resolves.toBe(1);
  });

  it('keeps markup from a message as text', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    send(messageEvent(msg('100.000004', { notification: [], blocks: [section(line(text(evil)))] })));
    const article = page.locator('article.msg[data-ts="100.000004"]');
    await article.waitFor();
    await expect(article.locator('p').textContent()).resolves.toBe(evil);
    await expect(article.locator('img, script').count()).resolves.toBe(0);
    await expect(page.evaluate('window.__pwned')).resolves.toBeUndefined();
  });

  it('counts messages of another channel as unread and shows them when that channel is selected', async () => {
    send(messageEvent(msg('100.000005', { notification: [], blocks: [section(line('in incidents'))] }, { channel: 'C0INC' })));
    const badge = page.locator('.channel[data-channel="C0INC"] .unread');
    await page.locator('.channel[data-channel="C0INC"] .unread:not([hidden])', { hasText: '1' }).waitFor();
    await expect(page.locator('article.msg[data-ts="100.000005"]').isVisible()).resolves.toBe(false);
    await page.locator('.channel[data-channel="C0INC"]').click();
    await page.locator('article.msg[data-ts="100.000005"]').waitFor({ state: 'visible' });
    await expect(badge.isHidden()).resolves.toBe(true);
    await expect(page.locator('#channel-title').textContent()).resolves.toBe('#incidents');
    await page.locator('.channel[data-channel="C0OPS"]').click();
    await page.locator('article.msg[data-ts="100.000001"]').waitFor({ state: 'visible' });
  });

  it('shows a direct message in the side panel, saying to whom it would go', async () => {
    send(messageEvent(msg('100.000006', { notification: [], blocks: [section(line('You are paged'))] }, { channel: 'U0ONCALL' })));
    const dm = page.locator('#panel-messages article.msg[data-ts="100.000006"]');
    await dm.waitFor();
    await expect(dm.textContent()).resolves.toContain('would DM @oncall (placeholder)');
  });

  it('sends a command with the token, and shows the error of a refused one', async () => {
    const box = page.locator('#composer-text');
    await box.fill('/diag db');
    const sent = nextPost();
    await box.press('Enter');
    const p = await sent;
    expect(p.path).toBe('/api/command');
    expect(p.body).toEqual({ channel: 'C0OPS', text: '/diag db' });
    expect(p.headers['content-type']).toBe('application/json');
    expect(p.headers['x-playground-token']).toBe(TOKEN);
    await expect.poll(() => box.inputValue()).toBe('');

    answers.push({ status: 400, body: { error: 'unknown command /nope: the commands are /diag, /runbook' } });
    await box.fill('/nope');
    await box.press('Enter');
    await page.locator('#composer-error:not([hidden])', { hasText: 'unknown command /nope' }).waitFor();
    await expect(box.inputValue()).resolves.toBe('/nope');
    // The command sent before comes back with the up arrow.
    await box.fill('');
    await box.press('ArrowUp');
    await expect(box.inputValue()).resolves.toBe('/diag db');
  });

  it('sends a press by message and index, and asks in the page first for a button with a confirmation', async () => {
    const m = msg('100.000007', {
      notification: [],
      blocks: [
        {
          type: 'actions',
          buttons: [
            { label: 'Details', intent: { intent: 'digest.details', report: 1 } },
            { label: 'Terminate', style: 'danger', intent: { intent: 'incident.resolve', incident: 1 }, confirm: { title: 'Terminate pid 42?', text: 'It ends the session.', ok: 'Terminate', deny: 'Keep it' } },
          ],
        },
      ],
    });
    send(messageEvent(m));
    await page.locator('article.msg[data-ts="100.000007"]').waitFor();
    let sent = nextPost();
    await page.locator('[data-ts="100.000007"][data-button="0"]').click();
    expect((await sent).body).toEqual({ ts: '100.000007', button: 0, version: 'n' });

    await page.locator('[data-ts="100.000007"][data-button="1"]').click();
    await page.locator('#confirm-layer:not([hidden])').waitFor();
    await expect(page.locator('#confirm-title').textContent()).resolves.toBe('Terminate pid 42?');
    await expect(page.locator('#confirm-text').textContent()).resolves.toBe('It ends the session.');
    await expect(page.locator('#confirm-ok').textContent()).resolves.toBe('Terminate');
    const before = posted.length;
    await page.locator('#confirm-deny', { hasText: 'Keep it' }).click();
    await page.locator('#confirm-layer').waitFor({ state: 'hidden' });
    expect(posted.length).toBe(before);

    await page.locator('[data-ts="100.000007"][data-button="1"]:not([disabled])').click();
    sent = nextPost();
    await page.locator('#confirm-ok').click();
    expect((await sent).body).toEqual({ ts: '100.000007', button: 1, version: 'n' });

    // Updated in place with other buttons: a press names the version the page shows now.
    send(messageEvent({ ...m, nonce: 'n2' }, false));
    await page.locator('article.msg[data-ts="100.000007"][data-version="n2"]').waitFor();
    sent = nextPost();
    await page.locator('[data-ts="100.000007"][data-button="0"]:not([disabled])').click();
    expect((await sent).body).toEqual({ ts: '100.000007', button: 0, version: 'n2' });

    answers.push({ status: 403, body: { error: 'U0ME may not run pg.terminate on db-main' } });
    await page.locator('[data-ts="100.000007"][data-button="0"]:not([disabled])').click();
    await page.locator('#composer-error:not([hidden])', { hasText: 'may not run pg.terminate' }).waitFor();
  });

  it('submits a dialog, shows its errors next to the fields, and closes it when accepted', async () => {
    send({ type: 'dialog', id: 'd1', html: renderDialogHtml(dialog('d1')) });
    const form = page.locator('#dialog-layer form.dialog[data-dialog="d1"]');
    await form.waitFor({ state: 'visible' });
    await form.locator('[name="title.title"]').fill('x');
    answers.push({ status: 200, body: { errors: { title: 'a title of at least 3 characters' } } });
    let sent = nextPost();
    await form.locator('button[type="submit"]').click();
    const p = await sent;
    expect(p.path).toBe('/api/dialog');
    expect(p.body).toEqual({ dialog: 'd1', values: { title: { title: 'x' }, severity: { severity: 'sev2' } } });
    await form.locator('[data-error-for="title"]:not([hidden])', { hasText: 'at least 3 characters' }).waitFor();

    await form.locator('[name="title.title"]').fill('db-main locks');
    await form.locator('[name="severity.severity"]').selectOption('sev1');
    sent = nextPost();
    await form.locator('button[type="submit"]').click();
    expect((await sent).body).toEqual({ dialog: 'd1', values: { title: { title: 'db-main locks' }, severity: { severity: 'sev1' } } });
    await form.waitFor({ state: 'detached' });
    await page.locator('#dialog-layer').waitFor({ state: 'hidden' });
  });

  it('tells the bot when a dialog is closed (Escape, as Close), and removes a dialog the bot closed', async () => {
    send({ type: 'dialog', id: 'd2', html: renderDialogHtml(dialog('d2')) });
    const form = page.locator('form.dialog[data-dialog="d2"]');
    await form.waitFor({ state: 'visible' });
    const sent = nextPost();
    await form.locator('[name="title.title"]').press('Escape');
    const p = await sent;
    expect(p.path).toBe('/api/dialog/close');
    expect(p.body).toEqual({ dialog: 'd2' });
    await form.waitFor({ state: 'detached' });

    send({ type: 'dialog', id: 'd4', html: renderDialogHtml(dialog('d4')) });
    const other = page.locator('form.dialog[data-dialog="d4"]');
    await other.waitFor({ state: 'visible' });
    const closed = nextPost();
    await other.locator('[data-dialog-close]', { hasText: 'Cancel' }).click();
    expect((await closed).body).toEqual({ dialog: 'd4' });
    await other.waitFor({ state: 'detached' });

    send({ type: 'dialog', id: 'd3', html: renderDialogHtml(dialog('d3')) });
    await page.locator('form.dialog[data-dialog="d3"]').waitFor({ state: 'visible' });
    send({ type: 'dialog-closed', id: 'd3' });
    await page.locator('form.dialog[data-dialog="d3"]').waitFor({ state: 'detached' });
    await page.locator('#dialog-layer').waitFor({ state: 'hidden' });
  });

  it('ran without script errors or CSP refusals', () => {
    // The refused commands above log their 4xx answers as failed loads; nothing else may appear.
    expect(problems.filter((p) => !/status of 40[03]/.test(p))).toEqual([]);
  });
});
