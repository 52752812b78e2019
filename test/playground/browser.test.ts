// The playground in a real browser: the bot started as `npm start` starts it (its node flags, no
// Slack variables), its page driven in headless Chromium. Against a PostgreSQL with a lock held for
// real: /diag db shows the blocker, Terminate asks in the page, then the bot asks for its own
// confirmation, and the outcome lands in the report's thread with an audit row of source
// playground; a finding carrying markup shows it as text; /incident declare pages the on-call
// placeholder in the side panel and posts the card in #incidents.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type HeadlessBrowser } from '../support/browser.ts';
import { startPlaygroundProcess, type PlaygroundProcess } from '../support/playground-process.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { waitFor } from '../support/wait-for.ts';

const USER = 'U0YOU';
/** Markup a session can carry into a finding: its application_name shows in the blocking-locks finding. */
const SCRIPT_APP = '<script>window.__pwned=1</script>';
/** And a table name, in the waiter's line ("waits for ... on table ..."). */
const IMG_TABLE = '<img src=x onerror=window.__pwned=2>';
/** Long enough for one page action to show up; a wait that runs out fails with what was awaited. */
const SHOWN_MS = 30_000;

let storeUrl = '';
let monitoredUrl = '';
let dir = '';
let bot: PlaygroundProcess | undefined;
let chromium: HeadlessBrowser | undefined;
let page: Page;
let holder: pg.Client;
let waiter: pg.Client;
let blocked: Promise<unknown> | undefined;
let holderPid = 0;

/** Starts the bot as `npm start` does, with no Slack variables, and waits for the address it prints. */
async function startPlayground(): Promise<PlaygroundProcess> {
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(
    configFile,
    `targets:
  demo-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 5000
access:
  postgres.*:
    users: [${USER}]
incidents:
  channel: C0INCIDENTS
  roles:
    team-lead: { user: U0LEAD }
oncall:
  rotations:
    primary: { members: [U0ONCALL], every: weekly, handoff: "09:00", timezone: UTC, start: "2026-01-05" }
`,
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    PORT: '0',
    DATABASE_URL: storeUrl,
    MONITORED_URL: monitoredUrl,
    CHATOPS_CONFIG: configFile,
    CHATOPS_DATA_DIR: path.join(dir, 'data'),
    CHATOPS_PLAYGROUND_USER: USER,
  };
  return await startPlaygroundProcess({ cwd: dir, env });
}

async function auditRows(action: string): Promise<Array<{ actor: string; channel: string | null; source: string; target: string | null; params: Record<string, unknown>; outcome: string }>> {
  const db = new pg.Client({ connectionString: storeUrl });
  await db.connect();
  try {
    return (await db.query('SELECT actor, channel, source, target, params, outcome FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;
  } finally {
    await db.end();
  }
}

/** Types a command into the page's message box, as a person does, and sends it. */
async function type(command: string): Promise<void> {
  await page.fill('#composer-text', command);
  await page.press('#composer-text', 'Enter');
}

/** The channel's messages on the page (`C0OPS`, `C0INCIDENTS`). */
const channelView = (id: string) => page.locator(`[data-channel-view="${id}"]`);

/**
 * Types /diag db in #ops and waits for its report: the next top-level message offering Terminate on
 * the lock holder (the progress message, replaced in place). Pinned by its ts from then on.
 */
async function diagDb() {
  const reports = channelView('C0OPS').locator('.entry').filter({ has: page.getByRole('button', { name: `Terminate pid ${holderPid}` }) });
  const before = await reports.count();
  await type('/diag db');
  await reports.nth(before).waitFor();
  const ts = (await reports.nth(before).getAttribute('data-entry'))!;
  const entry = channelView('C0OPS').locator(`.entry[data-entry="${ts}"]`);
  return { ts, message: entry.locator('article.msg').first(), thread: entry.locator('.thread') };
}

/** Whether `pid` waits on a lock (asked on a connection of its own: the waiter's is busy). */
async function lockWaits(pid: number): Promise<boolean> {
  const c = new pg.Client({ connectionString: monitoredUrl });
  await c.connect();
  try {
    return ((await c.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [pid])).rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-browser-'));
  [storeUrl, monitoredUrl] = await Promise.all([freshDatabaseUrl('browser_store'), freshDatabaseUrl('browser_target')]);

  // A held lock: a session idle in transaction holding LOCK TABLE, and one waiting behind it.
  const admin = new pg.Client({ connectionString: monitoredUrl });
  await admin.connect();
  await admin.query(`CREATE TABLE "${IMG_TABLE}" (id int)`);
  await admin.end();
  holder = new pg.Client({ connectionString: monitoredUrl, application_name: SCRIPT_APP });
  waiter = new pg.Client({ connectionString: monitoredUrl, application_name: 'lock-waiter' });
  for (const c of [holder, waiter]) {
    c.on('error', () => undefined);
    await c.connect();
  }
  holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const waiterPid = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE "${IMG_TABLE}"`);
  blocked = waiter.query(`SELECT count(*) FROM "${IMG_TABLE}"`).catch(() => undefined);
  await waitFor(() => lockWaits(waiterPid), 10_000, 'the waiter to queue on the lock');

  [bot, chromium] = await Promise.all([startPlayground(), launchBrowser()]);
  page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(SHOWN_MS);
  await page.goto(bot.url);
  // The event stream is open: what the bot posts from now on shows without a reload.
  await page.locator('#connection', { hasText: 'live' }).waitFor();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await holder?.end().catch(() => undefined);
  await blocked?.catch(() => undefined);
  await waiter?.end().catch(() => undefined);
  await bot?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the playground in a browser', () => {
  it('shows markup in a finding as text: a lock holder named <script> and a table named <img onerror> run nothing', async () => {
    const { message } = await diagDb();
    const words = await message.innerText();
    // The holder's application_name and the table's name, literally, as the finding's words.
    expect(words).toContain(`${SCRIPT_APP} pid ${holderPid}`);
    expect(words).toContain(`table ${JSON.stringify(IMG_TABLE)}`);
    expect(await page.locator('#views script, #views img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
  });

  it('/diag db against a held lock: Terminate on the blocker, confirmed in the page and then by the bot, ends the session; the outcome shows in the report\'s thread and is audited with source playground', async () => {
    const report = await diagDb();
    expect(await report.message.innerText()).toMatch(new RegExp(`pid ${holderPid}, idle in transaction .*blocks 1 lock-waiter session`));

    // The button's own "are you sure?", asked in the page before anything reaches the bot.
    await report.message.getByRole('button', { name: `Terminate pid ${holderPid}` }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    expect(await confirm.locator('#confirm-title').innerText()).toBe('Terminate session?');
    expect(await confirm.innerText()).toContain(`${holderPid}`);
    await confirm.getByRole('button', { name: 'Run it' }).click();

    // Then the bot's own confirmation, only visible to the presser, with its Run it button.
    const prompt = channelView('C0OPS').locator('article.msg.ephemeral', { hasText: 'Confirm Terminate session?' }).last();
    await prompt.waitFor();
    expect(await prompt.innerText()).toContain('Only visible to you');
    await prompt.getByRole('button', { name: 'Run it: Terminate session' }).click();
    await channelView('C0OPS').locator('article.msg.ephemeral', { hasText: 'Confirmed' }).last().waitFor();

    // The outcome in the report's thread; the session is gone, its lock with it.
    const outcome = report.thread.locator('article.msg', { hasText: `terminated backend ${holderPid}` });
    await outcome.waitFor();
    expect(await outcome.innerText()).toContain('ran Terminate session on demo-db');
    expect(await outcome.getAttribute('data-thread')).toBe(report.ts);
    await expect(holder.query('SELECT 1')).rejects.toThrow();

    const rows = await waitFor(async () => {
      const found = await auditRows('postgres.terminate_backend');
      return found.length > 0 && found;
    }, 10_000, 'the audit row of the terminate');
    expect(rows).toEqual([expect.objectContaining({ actor: USER, channel: 'C0OPS', source: 'playground', target: 'demo-db', outcome: 'succeeded', params: expect.objectContaining({ pid: holderPid }) })]);
  });

  it('/incident declare sev2 pages the on-call placeholder in the side panel ("would DM") and posts the incident card in #incidents', async () => {
    const title = 'Checkout answers 502 for a tenth of requests';
    await type(`/incident declare sev2 ${title}`);
    await channelView('C0OPS').locator('article.msg', { hasText: title }).waitFor();

    const paged = page.locator('#panel-messages article.msg', { hasText: title });
    await paged.waitFor();
    expect(await paged.locator('.dm-to').innerText()).toBe('would DM @oncall (placeholder)');
    expect(await paged.innerText()).toContain('You are paged as on-call');

    await page.locator('#channels .channel[data-channel="C0INCIDENTS"]').click();
    expect(await page.locator('#channel-title').innerText()).toBe('#incidents');
    const card = channelView('C0INCIDENTS').locator('article.msg', { hasText: title }).first();
    await card.waitFor();
    expect(await card.innerText()).toMatch(/SEV-2/);
    expect(await card.getByRole('button', { name: /Acknowledge/ }).count()).toBe(1);
  });
});
