// The escalation engine alone in a process, as a bot replica runs it, for the crash test: it is
// killed with SIGKILL at a random moment and started again. Env: DATABASE_URL, SLACK_API_URL,
// CHATOPS_CONFIG.
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import { SYSTEM_CLOCK } from '../../src/incidents/clock.ts';
import { EscalationEngine } from '../../src/incidents/escalation-engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOnCallLookup } from '../../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { createSlackPager } from '../../src/slack/create-slack-pager.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const config = loadConfig({ file: process.env.CHATOPS_CONFIG! });
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 4 });
const engine = new EscalationEngine({
  pool,
  pager: createSlackPager({ token: 'xoxb-test', apiUrl: process.env.SLACK_API_URL!, incidentsChannel: config.incidents!.channel, clock: SYSTEM_CLOCK, signer: TEST_SIGNER }),
  oncall: createOnCallLookup(config.oncall.rotations, new OverrideStore(pool)),
  groupMembers: async () => [],
  incidentsChannel: config.incidents!.channel,
  log: silentLogger(),
  // A page the killed process had claimed is taken over after this long (30 s in the bot).
  leaseMs: Number(process.env.LEASE_MS ?? 30_000),
});
engine.start();
// The engine's own timers do not hold the process open (the bot's server does): this does.
setInterval(() => undefined, 60_000);
process.stdout.write('started\n');
