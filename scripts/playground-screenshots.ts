// `npm run screenshots`: the README's pictures of the playground, taken from the real thing. The
// bot starts as `npm start` starts it with no Slack credentials and no config (the built-in demo),
// on a PostgreSQL of this script's own so that a real fault can be made on demo-db: a worker left
// idle in transaction holding a row lock, with two API sessions queued behind it. Then, in headless
// Chromium at 1280x900: `/diag db` in #ops (docs/images/playground-diag-db.png), and a SEV-2
// declared, shown in #incidents with its page in the side panel (docs/images/playground-incident.png).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/store/start-embedded-postgres.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { ROOT, startPlaygroundProcess } from '../test/support/playground-process.ts';

const IMAGES = path.join(ROOT, 'docs/images');
const VIEWPORT = { width: 1280, height: 900 };
const WAIT_MS = 60_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

const work = mkdtempSync(path.join(os.tmpdir(), 'chatops-screenshots-'));
const postgres = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), persistent: false, database: 'chatops', listen: 'tcp' });
const sessions: pg.Client[] = [];
const queued: Array<Promise<unknown>> = [];
try {
  // The fault: billing-worker updated a row and went idle in its transaction; two API requests
  // updating the same row wait behind it.
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE TABLE invoices (id int PRIMARY KEY, status text NOT NULL)');
  await admin.query("INSERT INTO invoices SELECT g, 'open' FROM generate_series(1, 100) g");
  await admin.end();
  const session = async (app: string) => {
    const c = new pg.Client({ connectionString: postgres.url, application_name: app });
    c.on('error', () => undefined);
    await c.connect();
    sessions.push(c);
    return c;
  };
  const worker = await session('billing-worker');
  await worker.query('BEGIN');
  await worker.query("UPDATE invoices SET status = 'sending' WHERE id = 42");
  for (const app of ['checkout-api', 'checkout-api']) {
    const c = await session(app);
    queued.push(c.query("UPDATE invoices SET status = 'paid' WHERE id = 42").catch(() => undefined));
  }

  // No chatops.yml in its working directory and no CHATOPS_CONFIG: the built-in demo, whose demo-db
  // is the bot's own state store, here the database above.
  const cwd = path.join(work, 'clone');
  mkdirSync(cwd);
  const bot = await startPlaygroundProcess({ cwd, env: { PORT: '0', DATABASE_URL: postgres.url, CHATOPS_DATA_DIR: path.join(cwd, '.chatops') } });
  const chromium = await launchBrowser();
  try {
    const page = await chromium.browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(bot.url);
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    const send = async (command: string) => {
      await page.fill('#composer-text', command);
      await page.press('#composer-text', 'Enter');
    };
    mkdirSync(IMAGES, { recursive: true });

    await send('/diag db');
    const report = page.locator('[data-channel-view="C0OPS"] article.msg', { hasText: 'billing-worker pid' }).filter({ has: page.getByRole('button', { name: /^Terminate pid/ }) });
    await report.first().waitFor();
    // Times shown relative to the reader settle once the page has localised them.
    await report.first().scrollIntoViewIfNeeded();
    const diagFile = path.join(IMAGES, 'playground-diag-db.png');
    await page.screenshot({ path: diagFile });
    log(`wrote ${path.relative(ROOT, diagFile)}`);

    const title = 'Checkout answers 502 for one request in ten';
    await send(`/incident declare sev2 ${title}`);
    await page.locator('#panel-messages article.msg', { hasText: title }).first().waitFor();
    await page.locator('#channels .channel[data-channel="C0INCIDENTS"]').click();
    await page.locator('[data-channel-view="C0INCIDENTS"] article.msg', { hasText: title }).first().waitFor();
    const incidentFile = path.join(IMAGES, 'playground-incident.png');
    await page.screenshot({ path: incidentFile });
    log(`wrote ${path.relative(ROOT, incidentFile)}`);
  } finally {
    await chromium.close();
    await bot.stop();
  }
} finally {
  for (const c of sessions) await c.end().catch(() => undefined);
  await Promise.all(queued);
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
