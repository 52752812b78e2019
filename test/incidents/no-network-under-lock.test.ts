// No call to Slack while the engine or the service holds a row lock: every group-members lookup
// and every pager call asks PostgreSQL, at that moment, whether a connection of the engine's pool
// is inside a transaction holding locks on the incident tables (idle in transaction: waiting for
// the application). The ladder goes through a level with nobody on call (the next level, a user
// group paged by DM, is looked up at once), an escalation, an interrupted delivery, a dedicated
// channel and a resolve granted by a group rule.
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { EscalationEngine } from '../../src/incidents/escalation-engine.ts';
import { IncidentService } from '../../src/incidents/incident-service.ts';
import type { Pager } from '../../src/incidents/pager.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOnCallLookup } from '../../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { createSlackPager } from '../../src/slack/create-slack-pager.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';
import { HOUR, INCIDENTS_CHANNEL, useIncidentHarness } from './incident-harness.ts';

const h = useIncidentHarness('no_lock');
const APP = 'chatops-engine-under-test';

const step = (label: string, after: string, notify: string) => `{ label: ${label}, after: ${after}, notify: [${notify}], via: [dm, mention], until: resolved }`;
const sev = `{ ackWithin: 15m, steps: [${step('on-call', '0m', '{ oncall: nobody }')}, ${step('sre', '1h', '{ group: S0SRE }')}, ${step('lead', '4h', '{ user: U0LEAD }')}] }`;
const CONFIG = `
incidents:
  channel: ${INCIDENTS_CHANNEL}
  dedicatedChannels: true
  ladder:
    sev1: ${sev}
    sev2: ${sev}
    sev3: ${sev}
    sev4: ${sev}
oncall:
  rotations:
    nobody: { members: [], every: weekly, handoff: "09:00", timezone: UTC, start: "2026-11-23" }
access:
  incident.resolve: { groups: [S0OPS] }
`;

let enginePool: pg.Pool;
let observer: pg.Pool;

beforeAll(() => {
  enginePool = new pg.Pool({ connectionString: h.url, max: 6, application_name: APP });
  observer = new pg.Pool({ connectionString: h.url, max: 2 });
});

afterAll(async () => {
  await enginePool?.end();
  await observer?.end();
});

/** Connections of the engine's pool waiting for the application inside a transaction that holds locks on the incident tables. */
async function locksHeld(): Promise<string[]> {
  const { rows } = await observer.query<{ pid: number; state: string; query: string; locks: string }>(
    `SELECT a.pid, a.state, a.query, string_agg(DISTINCT c.relname || ':' || l.mode, ', ') AS locks
       FROM pg_stat_activity a
       JOIN pg_locks l ON l.pid = a.pid AND l.granted
       JOIN pg_class c ON c.oid = l.relation
      WHERE a.application_name = $1 AND a.datname = current_database() AND a.state LIKE 'idle in transaction%'
        AND c.relname IN ('incidents', 'incident_timers', 'incident_pages', 'incident_events')
      GROUP BY a.pid, a.state, a.query`, [APP]);
  return rows.map((r) => `pid ${r.pid} ${r.state} holding ${r.locks} after "${r.query}"`);
}

describe('network calls and row locks', () => {
  it('the detector sees a transaction of the engine pool that holds a row lock', async () => {
    const client = await enginePool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT id FROM incidents FOR UPDATE');
      expect((await locksHeld()).join('\n')).toMatch(/incidents:RowShareLock/);
      await client.query('ROLLBACK');
      expect(await locksHeld()).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('no group lookup and no pager call happens while a row lock is held', async () => {
    const config = parseConfig(parseYaml(CONFIG), 'test.yml', {});
    const violations: string[] = [];
    const calls: string[] = [];
    const checked = async (what: string) => {
      calls.push(what);
      for (const held of await locksHeld()) violations.push(`${what}: ${held}`);
    };
    const slackPager = createSlackPager({ token: 'xoxb-test', apiUrl: h.slack.apiUrl, incidentsChannel: INCIDENTS_CHANNEL, clock: h.clock, signer: TEST_SIGNER });
    const pager: Pager = {
      send: async (page) => (await checked('send'), await slackPager.send(page)),
      findSent: async (page) => (await checked('findSent'), await slackPager.findSent(page)),
      showIncident: async (channel, display) => (await checked('showIncident'), await slackPager.showIncident(channel, display)),
      createIncidentChannel: async (name, invite) => (await checked('createIncidentChannel'), await slackPager.createIncidentChannel!(name, invite)),
    };
    const members: Record<string, string[]> = { S0SRE: ['U0SRE1', 'U0SRE2'], S0OPS: ['U0OPS1'] };
    const groupMembers = async (group: string) => (await checked(`groupMembers ${group}`), members[group] ?? []);
    const engine = new EscalationEngine({
      pool: enginePool, pager, oncall: createOnCallLookup(config.oncall.rotations, new OverrideStore(enginePool)), groupMembers, incidentsChannel: INCIDENTS_CHANNEL, clock: h.clock, log: silentLogger(),
    });
    const service = new IncidentService({ pool: enginePool, config: config.incidents!, engine, pager, groupMembers, log: silentLogger() });

    const inc = await service.declare({ severity: 2, title: 'payments down', commander: 'U0CMDR' });
    // Nobody on call: the SRE group is paged at once, its members by DM.
    await engine.runDue();
    const r = `INC-${inc.id}`;
    expect(h.keys().sort()).toEqual([`${r}/sev2:s0a0/thread`, `${r}/sev2:s1a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev2:s1a0/dm:U0SRE1`, `${r}/sev2:s1a0/dm:U0SRE2`]);
    h.clock.set(h.clock.t + 31_000);
    await service.escalate(inc.id, 'U0CMDR');
    await engine.runDue();
    expect(h.keys()).toContain(`${r}/sev2:s2a0/dm:U0LEAD`);
    // A delivery cut short: the page is looked up in Slack by its key before anything is sent.
    await h.pool.query(`UPDATE incident_pages SET state = 'sending', lease_until = $1 WHERE key = $2`, [new Date(h.clock.t - 1), `${r}/sev2:s2a0/dm:U0LEAD`]);
    await engine.runDue();
    // The resolve is granted by the S0OPS rule: its members are read before the change's transaction.
    h.clock.set(h.clock.t + HOUR);
    await service.resolve(inc.id, 'U0OPS1');
    await engine.runDue();
    expect((await service.get(inc.id))!.status).toBe('resolved');

    expect(new Set(calls)).toEqual(new Set(['createIncidentChannel', 'showIncident', 'groupMembers S0SRE', 'send', 'findSent', 'groupMembers S0OPS']));
    expect(violations).toEqual([]);
  });
});
