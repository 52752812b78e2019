// The digest's "Noisiest alerts (last 7 days)" section, from alert groups recorded the way the
// Alertmanager route records them (real PostgreSQL, Alertmanager's version 4 payloads): per alert
// name the episodes it fired, its flaps, the noise votes, the median time to resolve and its
// rules' runbooks; noisiest first, five at most; no section when no alert fired in the period.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore, type NoisyAlert } from '../../src/alerts/alert-store.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import type { DigestConfig } from '../../src/config/config.ts';
import { digestMessage } from '../../src/digest/digest-message.ts';
import { noisyAlertsBlocks } from '../../src/digest/noisy-alerts-section.ts';
import type { Message } from '../../src/message/message.ts';
import type { ReportSet } from '../../src/report.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { errorRateAlert, errorRateGroup, resolvedOf, type FixtureAlert, type Payload } from '../alerts/alertmanager-payloads.ts';
import { expectGoldenBoth } from '../render/render-both.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';

const FLAP_WINDOW_MS = 15 * 60_000;
const SINCE = new Date('2026-11-24T12:00:00Z');

let pool: pg.Pool;
let store: AlertStore;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await freshDatabaseUrl('digest_noisy'), max: 2 });
  store = new AlertStore(pool);
});
afterAll(async () => {
  await pool?.end();
});

function ruleAlert(name: string, service: string, startsAt: string, fingerprint: string, runbook?: string): FixtureAlert {
  const a = errorRateAlert(service, startsAt, fingerprint);
  return { ...a, labels: { ...a.labels, alertname: name }, annotations: { ...a.annotations, summary: `${name} on ${service}`, ...(runbook && { runbook_url: runbook }) } };
}

function group(name: string, service: string, alerts: FixtureAlert[]): Payload {
  return { ...errorRateGroup(alerts, `{}:{alertname="${name}",service="${service}"}`), groupLabels: { alertname: name, service } };
}

async function receive(p: Payload): Promise<number> {
  const out = await store.record(parseAlertmanagerPayload(p), () => undefined, FLAP_WINDOW_MS);
  if (out.outcome !== 'recorded') throw new Error('a test notification was taken for a duplicate');
  return out.groupId;
}

/** One firing episode of a group, resolved `minutes` later (or left firing). */
async function episode(name: string, service: string, startsAt: string, minutes: number | undefined, runbook?: string): Promise<number> {
  const firing = group(name, service, [ruleAlert(name, service, startsAt, `${name}-${service}`.slice(0, 16), runbook)]);
  const id = await receive(firing);
  if (minutes !== undefined) await receive(resolvedOf(firing, new Date(Date.parse(startsAt) + minutes * 60_000).toISOString()));
  return id;
}

describe('the noisiest alerts of the last 7 days', () => {
  let noisy: NoisyAlert[];

  beforeAll(async () => {
    // KubePodCrashLooping: three episodes on one service (12, 30 and 50 minutes), one flapping
    // twice, marked noise by two people (one changed from useful) and useful by one.
    const crash = await episode('KubePodCrashLooping', 'api', '2026-11-25T01:00:00Z', 12, 'https://runbooks.example.com/kube/crashloop');
    await episode('KubePodCrashLooping', 'api', '2026-11-26T01:00:00Z', 30, 'https://runbooks.example.com/kube/crashloop');
    const flapping = group('KubePodCrashLooping', 'api', [ruleAlert('KubePodCrashLooping', 'api', '2026-11-27T01:00:00Z', 'crash-api-3', 'https://runbooks.example.com/kube/crashloop')]);
    await receive(flapping);
    await receive(resolvedOf(flapping, '2026-11-27T01:05:00Z'));
    const again = group('KubePodCrashLooping', 'api', [ruleAlert('KubePodCrashLooping', 'api', '2026-11-27T01:10:00Z', 'crash-api-4', 'https://runbooks.example.com/kube/crashloop')]);
    await receive(again);
    await receive(resolvedOf(again, '2026-11-27T01:20:00Z'));
    const thirdAgain = group('KubePodCrashLooping', 'api', [ruleAlert('KubePodCrashLooping', 'api', '2026-11-27T01:25:00Z', 'crash-api-5', 'https://runbooks.example.com/kube/crashloop')]);
    await receive(thirdAgain);
    await receive(resolvedOf(thirdAgain, '2026-11-27T01:50:00Z'));
    expect(await store.vote(crash, 3, 'U0ALICE', 'useful')).toMatchObject({ outcome: 'recorded', alertname: 'KubePodCrashLooping' });
    await store.vote(crash, 3, 'U0ALICE', 'noise');
    await store.vote(crash, 3, 'U0BOB', 'noise');
    await store.vote(crash, 2, 'U0CAROL', 'useful');
    // HighErrorRate: fired on two services, one still firing, never voted on; no runbook.
    await episode('HighErrorRate', 'checkout', '2026-11-28T09:00:00Z', 4);
    await episode('HighErrorRate', 'search', '2026-11-30T09:00:00Z', undefined);
    // Five more names once each, and one that fired before the period (not counted).
    for (const [i, name] of ['DiskFilling', 'CertificateExpiring', 'TargetDown', 'NodeNotReady', 'Watchdog'].entries()) {
      await episode(name, 'infra', `2026-11-29T0${i}:00:00Z`, 60 * (i + 1));
    }
    await episode('OldAlert', 'infra', '2026-11-20T00:00:00Z', 5);
    noisy = await store.noisiest(SINCE, 5);
  });

  it('counts per alert name, noisiest first, five at most', () => {
    expect(noisy.map((a) => a.alertname)).toEqual(['KubePodCrashLooping', 'HighErrorRate', 'CertificateExpiring', 'DiskFilling', 'NodeNotReady']);
    expect(noisy[0]).toEqual({ alertname: 'KubePodCrashLooping', fired: 3, flapped: 2, noise: 2, useful: 1, medianResolveSeconds: 30 * 60, runbookUrls: ['https://runbooks.example.com/kube/crashloop'] });
    expect(noisy[1]).toEqual({ alertname: 'HighErrorRate', fired: 2, flapped: 0, noise: 0, useful: 0, medianResolveSeconds: 4 * 60, runbookUrls: [] });
  });

  it('a vote on a group the store does not know, or an episode it has not reached, records nothing', async () => {
    expect(await store.vote(987_654, 1, 'U0EVE', 'noise')).toEqual({ outcome: 'no-group' });
    const { rows } = await pool.query<{ id: string; episode: number }>("SELECT id, episode FROM alert_groups WHERE group_key LIKE '%HighErrorRate%checkout%'");
    expect(await store.vote(Number(rows[0]!.id), rows[0]!.episode + 1, 'U0EVE', 'noise')).toEqual({ outcome: 'no-episode', current: rows[0]!.episode });
    expect((await pool.query("SELECT 1 FROM alert_votes WHERE user_id = 'U0EVE'")).rowCount).toBe(0);
  });

  it('renders the section in Slack and in the terminal', () => {
    const message: Message = { notification: [{ type: 'text', text: 'noisiest alerts' }], blocks: noisyAlertsBlocks(noisy) };
    expectGoldenBoth('digest-noisy-alerts', message);
  });

  it('no section when no alert fired in the period; after the summary in a digest when one did', async () => {
    expect(await store.noisiest(new Date('2026-12-30T00:00:00Z'), 5)).toEqual([]);
    expect(noisyAlertsBlocks([])).toEqual([]);
    const digest = { name: 'weekly', channel: 'C0DIGEST', cron: '0 9 * * 1', timezone: 'UTC', targets: 'all', onlyWhenNotOk: false } as unknown as DigestConfig;
    const set = { status: 'ok', reports: [], startedAt: '2026-12-01T09:00:00.000Z', durationMs: 10 } as unknown as ReportSet;
    const options = { budget: UNLIMITED_BUDGET, late: false, notify: true, slot: new Date('2026-12-01T09:00:00Z'), storedIds: new Map<string, number>() };
    const without = JSON.stringify(digestMessage(digest, set, { firstDigest: false, changes: [] }, options));
    const withSection = digestMessage(digest, set, { firstDigest: false, changes: [] }, { ...options, noisyAlerts: noisy });
    expect(without).not.toContain('Noisiest alerts');
    expect(JSON.stringify(withSection.blocks.at(-1))).toContain('Noisiest alerts (last 7 days):');
  });
});
