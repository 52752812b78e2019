// SIGKILL of a process running the engine mid-ladder, then a restart, twice: no page is lost and
// none is sent twice, whatever the engine was doing when it died.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { SYSTEM_CLOCK } from '../../src/incidents/clock.ts';
import { EscalationEngine } from '../../src/incidents/escalation-engine.ts';
import { IncidentService } from '../../src/incidents/incident-service.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOnCallLookup } from '../../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { createSlackPager } from '../../src/slack/create-slack-pager.ts';
import { parse as parseYaml } from 'yaml';
import { sleep, waitFor } from '../support/wait-for.ts';
import { useIncidentHarness } from './incident-harness.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const h = useIncidentHarness('crash');
const INCIDENTS = 40;
const STEPS = 4;

/** Four levels 300 ms apart, each until resolved: every incident pages 4 × (DM + channel). */
const step = (label: string, after: string, who: string) => `        - { label: ${label}, after: ${after}, notify: [{ user: ${who} }], via: [dm, mention], until: resolved }`;
const ladder = (sev: number) => `    sev${sev}:
      ackWithin: 1h
      steps:
${step('on-call', '0s', 'U0ONE')}
${step('team-lead', '300ms', 'U0TWO')}
${step('manager', '600ms', 'U0THREE')}
${step('vp', '900ms', 'U0FOUR')}`;
const CONFIG = `incidents:
  channel: C0INCIDENTS
  ladder:
${[1, 2, 3, 4].map(ladder).join('\n')}
`;

function startChild(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.resolve(import.meta.dirname, 'engine-child.ts')], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('the engine killed and restarted', () => {
  it('loses no page and sends none twice', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crash-')), 'chatops.yml');
    writeFileSync(file, CONFIG);
    const config = parseConfig(parseYaml(CONFIG), file, {});
    // The engines here run on the system clock: Slack stamps what it takes with it too.
    h.slack.setClock(Date.now);
    // Incidents are declared here; only the child runs the engine.
    const pager = createSlackPager({ token: 'xoxb-test', apiUrl: h.apiUrl, incidentsChannel: 'C0INCIDENTS', clock: SYSTEM_CLOCK, signer: TEST_SIGNER });
    const idle = new EscalationEngine({ pool: h.pool, pager, oncall: createOnCallLookup([], new OverrideStore(h.pool)), groupMembers: async () => [], incidentsChannel: 'C0INCIDENTS', log: silentLogger() });
    const service = new IncidentService({ pool: h.pool, config: config.incidents!, engine: idle, pager, groupMembers: async () => [], log: silentLogger() });
    for (let i = 0; i < INCIDENTS; i++) await service.declare({ severity: 2, title: `outage ${i}`, commander: 'U0CMDR' });

    const env = { DATABASE_URL: h.url, SLACK_API_URL: h.apiUrl, CHATOPS_CONFIG: file, LEASE_MS: '1000' };
    let kills = 0;
    for (const lifetimeMs of [150 + Math.random() * 300, 400 + Math.random() * 500]) {
      const child = startChild(env);
      const exited = once(child, 'exit');
      await sleep(lifetimeMs);
      expect(child.exitCode, 'the engine process died by itself').toBeNull();
      child.kill('SIGKILL');
      await exited;
      kills += 1;
    }
    const last = startChild(env);
    const lastExited = once(last, 'exit');
    try {
      const expected = INCIDENTS * STEPS * 2;
      await waitFor(async () => {
        const { rows } = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_pages WHERE state = 'sent'`);
        return rows[0]!.n === expected;
      }, 30_000, `${expected} pages sent`);
    } finally {
      last.kill('SIGKILL');
      await lastExited;
    }
    expect(kills).toBe(2);
    const keys = h.keys();
    expect(keys).toHaveLength(INCIDENTS * STEPS * 2);
    expect(new Set(keys).size).toBe(keys.length);
    const { rows } = await h.pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM incident_pages GROUP BY state');
    expect(rows).toEqual([{ state: 'sent', n: INCIDENTS * STEPS * 2 }]);
  }, 60_000);
});
