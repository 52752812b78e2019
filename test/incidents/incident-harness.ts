// The incident engine as the bot runs it, on a fake clock: real PostgreSQL (a database per test
// file), the real Slack pager against the fake Slack Web API (which stamps messages with the fake
// clock, as Slack stamps them with the time it took them), the real on-call lookup. Ladders of
// hours run in milliseconds by moving the clock and asking the engine for what is due. T0 is a
// Monday at 10:00 UTC, within the default working hours (Monday to Friday, 09:00 to 17:00 UTC).
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/config.ts';
import type { Clock } from '../../src/incidents/clock.ts';
import { EscalationEngine } from '../../src/incidents/escalation-engine.ts';
import { IncidentService } from '../../src/incidents/incident-service.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOnCallLookup } from '../../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { createSlackPager } from '../../src/slack/create-slack-pager.ts';
import { startFakeSlackApi, type FakeSlackApi, type PostedSlackMessage } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

export const INCIDENTS_CHANNEL = 'C0INCIDENTS';
export const T0 = Date.parse('2026-11-23T10:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** The config of most tests: the default ladder; primary rotation of U0ALICE and U0BOB. */
export const CONFIG_YAML = `
incidents:
  channel: ${INCIDENTS_CHANNEL}
  roles:
    team-lead: { user: U0LEAD }
    engineering-manager: { user: U0EM }
    vp-engineering: { user: U0VP }
oncall:
  rotations:
    primary: { members: [U0ALICE, U0BOB], every: weekly, handoff: "09:00", timezone: Europe/Berlin, start: "2026-11-23" }
`;

export class FakeClock implements Clock {
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  now(): Date {
    return new Date(this.t);
  }
  set(t: number): void {
    this.t = t;
  }
}

export interface Harness {
  slack: FakeSlackApi;
  /** The Web API the pagers talk to: the fake's. */
  apiUrl: string;
  pool: pg.Pool;
  url: string;
  clock: FakeClock;
  /** An engine and service over the shared database, with the given config. */
  make(configYaml?: string, pool?: pg.Pool): { engine: EscalationEngine; service: IncidentService; config: Config };
  engine: EscalationEngine;
  service: IncidentService;
  /** Moves the clock to T0 + ms and runs what is due. */
  at(ms: number): Promise<void>;
  /** Page messages (with a page key) Slack received, in order. */
  pages(): Array<PostedSlackMessage & { key: string }>;
  keys(): string[];
  /** Keys paged since the previous call, sorted (pages of one moment go out concurrently). */
  newKeys(): string[];
}

let seen = 0;

export function useIncidentHarness(prefix: string): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.slack = await startFakeSlackApi();
    h.apiUrl = h.slack.apiUrl;
    h.url = await freshDatabaseUrl(prefix);
    h.pool = new pg.Pool({ connectionString: h.url, max: 6 });
    h.clock = new FakeClock(T0);
    h.make = (yaml = CONFIG_YAML, pool = h.pool) => {
      const config = parseConfig(parseYaml(yaml), 'test.yml', {});
      const pager = createSlackPager({ token: 'xoxb-test', apiUrl: h.apiUrl, incidentsChannel: config.incidents!.channel, clock: h.clock, signer: TEST_SIGNER });
      const groupMembers = async (group: string) => (group === 'S0SRE' ? ['U0SRE1', 'U0SRE2'] : []);
      const engine = new EscalationEngine({
        pool,
        pager,
        oncall: createOnCallLookup(config.oncall.rotations, new OverrideStore(pool)),
        groupMembers,
        incidentsChannel: config.incidents!.channel,
        clock: h.clock,
        log: silentLogger(),
      });
      const service = new IncidentService({ pool, config: config.incidents!, engine, pager, groupMembers, log: silentLogger() });
      return { engine, service, config };
    };
    const made = h.make();
    h.engine = made.engine;
    h.service = made.service;
    h.at = async (ms) => {
      h.clock.set(T0 + ms);
      await h.engine.runDue();
    };
    // Accepted messages only: a call Slack refused (429) did not page anyone.
    h.pages = () => h.slack.messagesIn()
      .filter((m) => typeof m.metadata?.event_payload.key === 'string')
      .map((m) => ({ ...m, key: m.metadata!.event_payload.key as string }));
    h.keys = () => h.pages().map((p) => p.key);
    h.newKeys = () => {
      const all = h.keys();
      const fresh = all.slice(seen).sort();
      seen = all.length;
      return fresh;
    };
  });
  beforeEach(async () => {
    h.slack.reset();
    h.slack.setClock(() => h.clock.t);
    seen = 0;
    h.clock.set(T0);
    // Each test starts with no incident in flight.
    await h.pool.query('TRUNCATE incidents, incident_timers, incident_pages, incident_events, oncall_overrides RESTART IDENTITY');
  });
  afterAll(async () => {
    await h.pool?.end();
    await h.slack?.close();
  });
  return h;
}
