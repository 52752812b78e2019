// Stored reports carry no secret: titles and details are masked whole before they are cut to
// their stored length, so a secret straddling the cut leaves no part of itself in the database.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportHistory } from '../../src/store/report-history.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';

const KEY = 'hist-key-5f4e3d2c1b0a';
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await freshDatabaseUrl('history_mask'), max: 2 });
});
afterAll(async () => {
  await pool?.end();
});

describe('report history masking', () => {
  it.each([0, 4, 10, KEY.length - 1])('a key with %i characters before the detail cut (2,000) is stored masked, no part of it', async (inKey) => {
    const history = new ReportHistory(pool, { secrets: [KEY] });
    const detail = `${'d'.repeat(1_999 - inKey)}${KEY}${'z'.repeat(100)}`;
    const title = `${'t'.repeat(299 - inKey)}${KEY}`;
    const ids = await history.record([{ target: 'api', kind: 'http', status: 'crit', startedAt: new Date().toISOString(), durationMs: 5, findings: [{ check: 'http.status', status: 'crit', title, detail }] }], 'diag');
    const { rows } = await pool.query<{ findings: unknown }>('SELECT findings FROM report_history WHERE id = $1', [ids.get('api')]);
    const stored = JSON.stringify(rows[0]!.findings);
    for (let n = 4; n <= KEY.length; n++) expect(stored).not.toContain(KEY.slice(0, n));
  });

  it('masks the generic patterns without configured secrets', async () => {
    const history = new ReportHistory(pool);
    const ids = await history.record([{ target: 'db', kind: 'postgres', status: 'crit', startedAt: new Date().toISOString(), durationMs: 5, findings: [{ check: 'postgres.reachable', status: 'crit', title: 'connect to postgres://bot:pw-in-url-77@db/app failed', detail: 'token xoxb-1-2-3abc' }] }], 'diag');
    const stored = await history.byId(ids.get('db')!);
    expect(stored!.findings[0]).toMatchObject({ title: 'connect to postgres://bot:***@db/app failed', detail: 'token xox*-***' });
  });
});
