// The real bot with the Alertmanager route (ALERTS_TOKEN set), over HTTP, on a store of its own,
// with the fake Slack API recording what it posts; and what a test needs to send notifications
// as Alertmanager does (POST with the bearer token) and to wait until a group's message is shown.
import pg from 'pg';
import { startTestBot } from '../support/test-bot.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { waitFor } from '../support/wait-for.ts';

export const ALERTS_TOKEN = 'am-webhook-token-7f3c9a1e5b2d4c6e';
export const SIGNING_SECRET = 'test-signing-secret';

export const ALERTS_CONFIG = `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
alerts:
  routes:
    - match: { severity: critical }
      channel: C0CRIT
      targets: [main-db]
    - match: { alertname: HighErrorRate }
      channel: C0ALERTS
`;

export async function startAlertBot(slackApiUrl: string, storeUrl: string, extraEnv: Record<string, string> = {}, config = ALERTS_CONFIG): Promise<RunningBot> {
  return await startTestBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slackApiUrl, PORT: '0', DATABASE_URL: storeUrl, ALERTS_TOKEN, ...extraEnv }, config);
}

/** POSTs a body to the bot's Alertmanager route as Alertmanager does (http_config.authorization). */
/** `token` null: no Authorization header. */
export async function sendAlert(port: number, body: unknown, token: string | null = ALERTS_TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0', ...(token !== null && { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

export interface GroupRow {
  id: string;
  status: string;
  version: number;
  shown_version: number;
  flaps: number;
  episode: number;
  message_ts: string | null;
  message_channel: string | null;
  diagnosed_episode: number;
  targets: string[];
}

/** The group row once its message shows its latest state (and, with targets, once it is diagnosed). */
export async function settled(pool: pg.Pool, groupKey: string, what = `alert group ${groupKey} shown`): Promise<GroupRow> {
  return await waitFor(async () => {
    const { rows } = await pool.query<GroupRow>('SELECT * FROM alert_groups WHERE group_key = $1', [groupKey]);
    const r = rows[0];
    if (!r || r.version !== r.shown_version) return undefined;
    if (r.targets.length > 0 && r.diagnosed_episode < r.episode) return undefined;
    return r;
  }, 20_000, what);
}
