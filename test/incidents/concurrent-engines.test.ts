// Two engines (two replicas) on one database: over 1,000 incidents every page goes out exactly
// once, whichever engine claims it. And the interrupted delivery: a page Slack accepted but the
// engine never recorded is found by its key and not sent again.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { HOUR, useIncidentHarness } from './incident-harness.ts';

const h = useIncidentHarness('engines');

describe('two engines on one database', () => {
  it('1,000 incidents: every page once, no page lost', async () => {
    const otherPool = new pg.Pool({ connectionString: h.url, max: 6 });
    try {
      const a = h.make();
      const b = h.make(undefined, otherPool);
      const todo = Array.from({ length: 1_000 }, (_, i) => i);
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = todo.shift(); i !== undefined; i = todo.shift()) await a.service.declare({ severity: 2, title: `incident ${i}`, commander: 'U0CMDR' });
      }));
      const runBoth = async () => {
        const [ra, rb] = await Promise.all([a.engine.runDue(), b.engine.runDue()]);
        return { a: ra, b: rb };
      };
      const first = await runBoth();
      h.clock.set(h.clock.t + HOUR);
      const second = await runBoth();
      // Both engines did part of the work.
      expect(first.a.sent + second.a.sent).toBeGreaterThan(0);
      expect(first.b.sent + second.b.sent).toBeGreaterThan(0);
      // Per incident: on-call by DM and in the channel at once; after an hour the missed-deadline
      // note and the team lead by DM and in the channel.
      const keys = h.keys();
      expect(keys).toHaveLength(5_000);
      expect(new Set(keys).size).toBe(5_000);
      expect(keys.filter((k) => k.endsWith('/dm:U0LEAD'))).toHaveLength(1_000);
      const { rows } = await h.pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM incident_pages GROUP BY state');
      expect(rows).toEqual([{ state: 'sent', n: 5_000 }]);
      const timers = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_timers WHERE state = 'pending' AND due_at <= $1`, [h.clock.now()]);
      expect(timers.rows[0]!.n).toBe(0);
    } finally {
      await otherPool.end();
    }
  }, 120_000);
});

describe('an interrupted delivery', () => {
  it('a page Slack accepted but the engine did not record is found by its key, not sent twice', async () => {
    const inc = await h.service.declare({ severity: 2, title: 'cache down', commander: 'U0CMDR' });
    await h.engine.runDue();
    expect(h.keys()).toHaveLength(2);
    // As if the process died between Slack's answer and the UPDATE: claimed, lease run out.
    await h.pool.query(`UPDATE incident_pages SET state = 'sending', sent_at = NULL, lease_until = $1 WHERE incident_id = $2`, [new Date(h.clock.t - 1), inc.id]);
    await h.engine.runDue();
    expect(h.keys()).toHaveLength(2);
    const { rows } = await h.pool.query<{ state: string; ts: string }>('SELECT state, ts FROM incident_pages WHERE incident_id = $1', [inc.id]);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'sent']);
    expect(rows.every((r) => r.ts)).toBe(true);
  });

  it('a page claimed but never sent (the process died before Slack) is sent once, after the lease', async () => {
    const inc = await h.service.declare({ severity: 2, title: 'queue stuck', commander: 'U0CMDR' });
    await h.engine.runDue();
    // Forget what Slack got, and leave the rows claimed by a dead engine whose lease runs 30 s more.
    h.slack.reset();
    await h.pool.query(`UPDATE incident_pages SET state = 'sending', lease_until = $1 WHERE incident_id = $2`, [new Date(h.clock.t + 30_000), inc.id]);
    await h.engine.runDue();
    expect(h.keys()).toHaveLength(0);
    h.clock.set(h.clock.t + 30_000);
    await h.engine.runDue();
    expect(h.keys().sort()).toEqual([`INC-${inc.id}/sev2:s0a0/channel:C0INCIDENTS`, `INC-${inc.id}/sev2:s0a0/dm:U0ALICE`]);
  });
});
