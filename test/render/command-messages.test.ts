// The messages the slash commands answer with, through both renderers: Block Kit JSON for Slack
// and text for a terminal, from the same neutral message. Fixed inputs, so each golden file is
// the whole of what a user reads.
import { describe, expect, it } from 'vitest';
import { auditMessage } from '../../commands/audit.ts';
import { diagHelp } from '../../commands/diag.ts';
import { digestHistoryMessage, digestListMessage } from '../../commands/digest.ts';
import { incidentListMessage, incidentShowMessage } from '../../commands/incident.ts';
import { storedTimelineLine } from '../../src/incidents/stored-timeline-line.ts';
import { incidentRefusalMessage } from '../../src/incidents/incident-refusal-message.ts';
import { commandHelp } from '../../commands/index.ts';
import { howToConfigure, onCallMessage } from '../../commands/oncall.ts';
import { runbookListMessage } from '../../commands/runbook.ts';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { EscalatedTooRecently, IncidentAccessDenied } from '../../src/incidents/incident-access.ts';
import type { Incident } from '../../src/incidents/incident.ts';
import type { IncidentEvent } from '../../src/incidents/incident-service.ts';
import { UNLIMITED_BUDGET, type Budget } from '../../src/message/budget.ts';
import type { Message } from '../../src/message/message.ts';
import { nextShifts, type Rotation } from '../../src/oncall/rotation.ts';
import type { Runbook } from '../../src/runbooks/runbook.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { MAX_MESSAGE_TEXT, MAX_SECTION_TEXT, SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import type { AuditRow } from '../../src/store/audit-log.ts';
import type { StoredReport } from '../../src/store/report-history.ts';
import type { CommandSource } from '../../src/slash-command.ts';
import { expectGolden } from './golden.ts';
import { expectGoldenHtml } from './render-both.ts';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const SOURCE = '/etc/chatops/chatops.yml';

/**
 * `<name>.json`: the message built for Slack (SLACK_BUDGET) as Block Kit; `<name>.txt`: the message
 * built for a terminal (UNLIMITED_BUDGET, nothing left out; the forms a terminal runs), as the terminal prints it.
 */
function expectBoth(name: string, build: (budget: Budget, source: CommandSource) => Message): void {
  expectGolden(`${name}.json`, `${JSON.stringify(renderMessage(build(SLACK_BUDGET, 'slack'), encodeIntent), null, 2)}\n`);
  expectGolden(`${name}.txt`, renderTerminal(build(UNLIMITED_BUDGET, 'cli'), { color: false }));
  // As the playground's page shows it: its own command source, no budget.
  expectGoldenHtml(name, build(UNLIMITED_BUDGET, 'playground'));
}

const config = parseConfig(
  {
    targets: { 'main-db': { kind: 'postgres', url: 'postgres://monitor@db.internal:5432/app' }, cache: { kind: 'redis', url: 'redis://cache.internal:6379' } },
    digests: {
      morning: { cron: '0 8 * * 1-5', timezone: 'Europe/Berlin', channel: 'C0DIGEST' },
      'db-weekly': { cron: '0 9 * * 1', timezone: 'UTC', channel: 'C0DBA', targets: ['main-db'] },
    },
  },
  SOURCE,
  {},
);

const primary: Rotation = { name: 'primary', members: ['U0ALICE', 'U0BOB'], every: 'weekly', handoff: '09:00', timezone: 'Europe/Berlin', start: '2026-01-05' };
const dba: Rotation = { name: 'dba', members: ['U0CAROL', 'U0DAVE'], every: 'daily', handoff: '08:00', timezone: 'UTC', start: '2026-01-05' };
const empty: Rotation = { name: 'nights', members: [], every: 'daily', handoff: '20:00', timezone: 'UTC', start: '2026-01-05' };

function incident(id: number, fields: Partial<Incident>): Incident {
  return {
    id, severity: 2, title: 'Checkout fails', status: 'open', commander: 'U0ALICE', declaredAt: new Date(NOW.getTime() - 95 * 60_000),
    ladders: {} as Incident['ladders'], donePoints: [], epoch: 1, ...fields,
  };
}

function stored(day: string, status: StoredReport['status'], findings: StoredReport['findings']): StoredReport {
  return { id: 1, source: 'digest:morning', runAt: new Date(`${day}T07:00:00Z`), target: 'main-db', kind: 'postgres', status, startedAt: `${day}T07:00:00.000Z`, durationMs: 120, findings };
}

const auditRows: AuditRow[] = [
  { id: 3, at: new Date('2026-12-01T09:58:12Z'), actor: 'U0ALICE', channel: 'C0OPS', source: 'slack', action: 'postgres.terminate_backend', target: 'main-db', params: { pid: 4242 }, outcome: 'succeeded', durationMs: 38 },
  { id: 2, at: new Date('2026-12-01T09:50:00Z'), actor: 'cli:ops', source: 'cli', action: 'diag', target: 'main-db', params: { text: 'main-db' }, outcome: 'crit', durationMs: 212 },
  { id: 1, at: new Date('2026-12-01T09:41:30Z'), actor: 'U0BOB', source: 'slack', action: 'incident.declare', target: 'INC-7', params: { severity: 1, title: '<!channel> *db* down' }, outcome: 'refused' },
];

describe('command messages: golden files in Block Kit and in the terminal', () => {
  it('/oncall: who is on call now and next, an override, a rotation without members', () => {
    const override = { rotation: 'dba', user: 'U0ERIN', startsAt: new Date('2026-12-01T06:00:00Z'), endsAt: new Date('2026-12-01T14:00:00Z'), createdBy: 'U0CAROL' };
    const message = onCallMessage(
      [
        { rotation: primary, shifts: nextShifts(primary, NOW, [], 2) },
        { rotation: dba, shifts: nextShifts(dba, NOW, [override], 2) },
        { rotation: empty, shifts: nextShifts(empty, NOW, [], 2) },
      ],
      SOURCE,
    );
    expectBoth('oncall-list', () => message);
    expectBoth('oncall-none', () => howToConfigure(SOURCE));
  });

  it('/audit: the rows, with Slack users as mentions and terminal users as written', () => {
    expectBoth('audit', (budget) => auditMessage(auditRows, budget));
  });

  it('/runbook: the list', () => {
    const runbook = (id: string, title: string): Runbook => ({ id, title, summary: '', severityHint: 'warn', symptoms: [], checks: [], remedies: [], evidence: [], manual: [], body: '', file: `runbooks/${id}.md` });
    expectBoth('runbook-list', () => runbookListMessage({ all: [runbook('postgres-locks', 'PostgreSQL lock contention & long transactions'), runbook('redis-memory-pressure', 'Redis memory full, evicting keys')] }));
  });

  it('/diag help and the command list', () => {
    expectBoth('diag-help', (budget) => diagHelp({ config }, budget));
    expectBoth('command-help', (_budget, source) => commandHelp(undefined, source));
  });

  it('/digest list and history', () => {
    expectBoth('digest-list', (_budget, source) => digestListMessage(config, (name) => (name === 'morning' ? new Date('2026-12-02T07:00:00Z') : undefined), source));
    expectBoth('digest-none', (_budget, source) => digestListMessage({ digests: [], source: SOURCE }, () => undefined, source));
    const reports = [
      stored('2026-11-29', 'ok', [{ check: 'postgres.reachable', status: 'ok', title: 'Reachable in 3 ms' }]),
      stored('2026-11-30', 'warn', [{ check: 'postgres.connections', status: 'warn', title: 'Connections 170/200 (85%)' }]),
      stored('2026-11-30', 'crit', [{ check: 'postgres.locks', status: 'crit', title: 'pid 4242 blocks 12 sessions for 5 min' }]),
      stored('2026-12-01', 'ok', []),
    ];
    expectBoth('digest-history', (budget) => digestHistoryMessage('main-db', 7, reports, budget));
    expectBoth('digest-history-empty', (budget) => digestHistoryMessage('main-db', 7, [], budget));
  });

  it('/incident list, show and the refusals', () => {
    const open = [
      incident(7, { severity: 1, title: 'Checkout <!here> fails', status: 'acknowledged', acknowledgedBy: 'U0BOB', acknowledgedAt: NOW }),
      incident(9, { severity: 3, title: 'Slow search', declaredAt: new Date(NOW.getTime() - 3 * 86_400_000) }),
    ];
    expectBoth('incident-list', (budget) => incidentListMessage(open, NOW, budget));
    expectBoth('incident-list-empty', (budget) => incidentListMessage([], NOW, budget));
    // Entries as the store holds them (mentions in Slack's syntax), and as spans.
    const event = (at: string, kind: string, stored: string, actor?: string): IncidentEvent => {
      const entry = { at: new Date(at), ...(actor && { actor }), kind, text: stored, line: storedTimelineLine({ text: stored, line: null }) };
      return entry;
    };
    const events: IncidentEvent[] = [
      event('2026-12-01T08:25:00Z', 'declared', 'Declared SEV-1: Checkout ‹!here› fails', 'U0ALICE'),
      event('2026-12-01T08:25:01Z', 'channel', 'Incident channel <#C0INC7> created'),
      event('2026-12-01T08:25:02Z', 'paged', 'Paged on-call: <@U0BOB> by DM'),
      event('2026-12-01T08:30:00Z', 'acknowledged', 'Acknowledged by <@U0BOB>', 'U0BOB'),
      event('2026-12-01T08:41:00Z', 'note', 'rolled back to 1.4.2 <@U0X> *not bold*', 'U0CAROL'),
    ];
    expectBoth('incident-show', (budget) => incidentShowMessage(open[0]!, events, budget));
    const many = Array.from({ length: 45 }, (_, i) => event(new Date(NOW.getTime() + i * 60_000).toISOString(), 'page', `Paging on-call (${i + 1})`));
    expectBoth('incident-show-long', (budget) => incidentShowMessage(open[1]!, many, budget));
    const askable = { commander: 'U0ALICE', paged: ['U0BOB'], pagedGroups: ['S0DBA'], users: [], groups: [], channels: ['C0WAR'] };
    expectBoth('incident-denied', () => incidentRefusalMessage(new IncidentAccessDenied('resolve', 7, askable), 'run')!);
    expectBoth('incident-escalated-recently', () => incidentRefusalMessage(new EscalatedTooRecently({ incident: 7, by: 'U0BOB', to: 'team lead', at: new Date(NOW.getTime() - 12_000), againAt: new Date(NOW.getTime() + 18_000), now: NOW }), 'run')!);
  });
});

describe('long answers fit the transport', () => {
  const long: AuditRow[] = Array.from({ length: 50 }, (_, i) => ({
    id: 50 - i, at: new Date(NOW.getTime() - i * 60_000), actor: i % 2 ? 'U0ALICE' : 'cli:ops', source: 'slack', action: 'postgres.terminate_backend', target: 'main-db',
    params: { pid: 1000 + i, reason: 'x'.repeat(200) }, outcome: 'succeeded', durationMs: i,
  }));

  it('under Slack\'s budget, rows are spread over sections that Slack takes whole, and the rest is counted', () => {
    const out = renderMessage(auditMessage(long, SLACK_BUDGET), encodeIntent);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Block Kit JSON, read by path
    const blocks = out.blocks as Array<Record<string, any>>;
    const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text.text as string);
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) {
      expect(s.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
      expect(s.endsWith('…')).toBe(false);
    }
    expect(sections.join('').length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT);
    const shown = sections.join('\n').split('\n').filter((l) => l.startsWith('• ')).length;
    const notShown = blocks.at(-1)!.elements[0].text as string;
    expect(notShown).toBe(`${50 - shown} older rows not shown`);
    expect(shown).toBeGreaterThan(20);
  });

  it('/diag help with 200 configured targets names every one, in sections Slack takes whole', () => {
    const many = parseConfig({ targets: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`db-${String(i).padStart(3, '0')}`, { kind: 'postgres', url: `postgres://db-${i}.internal/app` }])) }, SOURCE, {});
    const out = renderMessage(diagHelp({ config: many }, SLACK_BUDGET), encodeIntent);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Block Kit JSON, read by path
    const sections = (out.blocks as Array<Record<string, any>>).filter((b) => b.type === 'section').map((b) => b.text.text as string);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    for (let i = 0; i < 200; i++) expect(sections.join('\n')).toContain(`• \`db-${String(i).padStart(3, '0')}\` (postgres)`);
  });

  it('in a terminal every row is shown', () => {
    const text = renderTerminal(auditMessage(long, UNLIMITED_BUDGET), { color: false });
    expect(text.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(50);
    expect(text).not.toContain('not shown');
  });
});
