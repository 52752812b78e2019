// Only the holder of a message's claim posts it: a replica whose claim ran out during a long
// lookup (and was taken by another) is told so before it posts, for heartbeats and alert groups
// alike (both stores fence the post on the claim's owner and lease). Real PostgreSQL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { HeartbeatStore } from '../../src/heartbeats/heartbeat-store.ts';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import type { AlertRoute } from '../../src/config/alerts-schema.ts';
import { postgresDownFiring } from '../alerts/alertmanager-payloads.ts';
import { migrate } from '../../src/store/migrate.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await freshDatabaseUrl('claim_fencing'), max: 3 });
  await migrate(pool, silentLogger());
});
afterAll(async () => {
  await pool?.end();
});

const MIN = 60_000;
const backup = { name: 'nightly-backup', everyMs: 60 * MIN, graceMs: 10 * MIN, channel: 'C0OPS' };

describe('a post fenced on its claim', () => {
  it('heartbeats: the first owner, whose claim ran out and was taken, does not post; the new owner does', async () => {
    const store = new HeartbeatStore(pool);
    const start = new Date(Date.now() - 3 * 3600_000);
    await store.watch([backup.name], start);
    expect(await store.markMissed([backup], new Date())).toEqual(['nightly-backup']);
    expect(await store.claimBehind('replica-a', 30_000, 10)).toHaveLength(1);
    // A's lookup outlasts its lease; B takes the claim.
    await pool.query("UPDATE heartbeats SET claim_until = now() - interval '1 second' WHERE name = $1", [backup.name]);
    expect(await store.claimBehind('replica-b', 30_000, 10)).toHaveLength(1);
    expect(await store.markPosting(backup.name, 'replica-a', 30_000)).toBe(false);
    expect(await store.markPosting(backup.name, 'replica-b', 30_000)).toBe(true);
  });

  it('alert groups: the first owner, whose claim ran out and was taken, does not post; the new owner does', async () => {
    const store = new AlertStore(pool);
    const route = { match: {}, channel: 'C0ALERTS', targets: [], autoResolve: false } as unknown as AlertRoute;
    await store.record(parseAlertmanagerPayload(postgresDownFiring()), () => ({ index: 0, route }), 3_600_000);
    const [claimed] = await store.claimBehind('replica-a', 30_000, 10);
    expect(claimed).toBeDefined();
    await pool.query("UPDATE alert_groups SET claim_until = now() - interval '1 second' WHERE id = $1", [claimed!.id]);
    expect(await store.markPosting(claimed!.id, 'replica-a', 30_000)).toBe(false);
    expect(await store.claimBehind('replica-b', 30_000, 10)).toHaveLength(1);
    expect(await store.markPosting(claimed!.id, 'replica-a', 30_000)).toBe(false);
    expect(await store.markPosting(claimed!.id, 'replica-b', 30_000)).toBe(true);
  });
});
