// A digest as one neutral message: golden files in Block Kit and in the terminal, and Slack's
// limits for a digest of many changes and many failing targets.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import type { DigestConfig } from '../../src/config/config.ts';
import type { DigestChange, DigestChanges } from '../../src/digest/digest-changes.ts';
import { digestMessage } from '../../src/digest/digest-message.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import { buildReport, type ReportSet, type Status } from '../../src/report.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { MAX_ACTIONS_ELEMENTS, MAX_BLOCKS, MAX_MESSAGE_TEXT, MAX_SECTION_TEXT, SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { allOk, mixed } from '../render/fixtures.ts';
import { expectGoldenBoth } from '../render/render-both.ts';

const started = '2026-11-22T03:00:00.000Z';
const slot = new Date('2026-11-22T07:00:00.000Z');
const digest: DigestConfig = { name: 'morning', cron: '0 7 * * *', timezone: 'UTC', channel: 'C0DIGEST', targets: 'all', onlyWhenNotOk: false, mentionOnCrit: 'S0ONCALL' };
const timedOut = { ...buildReport('legacy-api', 'http', new Date(started), [{ check: 'http.probe', status: 'crit', title: 'Probe timed out after 12.0 s' }]), durationMs: 12_004, startedAt: started };
const set: ReportSet = { status: 'crit', startedAt: started, durationMs: 2140, reports: [mixed, timedOut, { ...allOk, target: 'cache' }] };
const storedIds = new Map([['db-main', 41], ['legacy-api', 42], ['cache', 43]]);
const changes: DigestChanges = {
  firstDigest: false,
  changes: [
    { kind: 'new_problem', target: 'legacy-api', check: 'http.probe', status: 'crit', text: 'legacy-api: new crit: Probe timed out after 12.0 s' },
    { kind: 'worse', target: 'db-main', check: 'postgres.connections', status: 'crit', previousStatus: 'warn', text: 'db-main: warn → crit: Connections 182/200 (91%) (connections 45% → 91%) <& more>' },
    { kind: 'metric_moved', target: 'db-main', check: 'postgres.cache_hit', status: 'ok', text: 'db-main: cache hit 99.5% → 97.1%' },
    { kind: 'resolved', target: 'cache', text: 'cache: resolved: Memory 95%' },
  ],
};

type Block = { type: string; text?: { text: string }; elements?: Array<{ text: string | { text: string }; action_id?: string; value?: string }> };
const textOf = (b: Block) => b.text?.text ?? b.elements?.map((e) => (typeof e.text === 'string' ? e.text : e.text.text)).join(' ') ?? '';

describe('digest message', () => {
  it("golden: under Slack's budget, in Block Kit and in the terminal", () => {
    expectGoldenBoth('digest-mixed', (budget) => digestMessage(digest, set, changes, { budget, late: true, notify: true, slot, storedIds }));
  });

  it('golden: run by hand without --notify, a crit mentions nobody and says how to', () => {
    expectGoldenBoth('digest-manual', (budget) => digestMessage(digest, set, changes, { budget, late: false, notify: false, slot, storedIds }));
    const slack = JSON.stringify(renderMessage(digestMessage(digest, set, changes, { budget: SLACK_BUDGET, late: false, notify: false, slot, storedIds }), encodeIntent));
    expect(slack).not.toContain('subteam');
    expect(slack).toContain('/digest now morning --notify');
    const notified = JSON.stringify(renderMessage(digestMessage(digest, set, changes, { budget: SLACK_BUDGET, late: false, notify: true, slot, storedIds }), encodeIntent));
    expect(notified).toContain('<!subteam^S0ONCALL> a target is critical');
  });

  it('golden: the first digest, nothing to compare with', () => {
    expectGoldenBoth('digest-first', (budget) => digestMessage({ ...digest, mentionOnCrit: undefined }, set, { firstDigest: true, changes: [] }, { budget, late: false, notify: true, slot, storedIds }));
  });

  it('a Details button per target that needs attention, worst first, carrying its stored report', () => {
    const m = digestMessage(digest, set, changes, { budget: SLACK_BUDGET, late: false, notify: true, slot, storedIds });
    const actions = m.blocks.at(-1)!;
    expect(actions.type === 'actions' && actions.buttons.map((b) => [b.label, b.intent])).toEqual([
      ['Details: db-main', { intent: 'digest.details', report: 41 }],
      ['Details: legacy-api', { intent: 'digest.details', report: 42 }],
    ]);
  });

  it("stays within Slack's limits with 300 failing targets and 500 changes, and counts what it left out", () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      ...buildReport(`target-${i}-${'x'.repeat(50)}`, 'http', new Date(started), [
        { check: 'http.status', status: (i % 2 ? 'crit' : 'warn') as Status, title: `HTTP 503 from https://example.com/${'p'.repeat(400)}` },
      ]),
      startedAt: started,
    }));
    const lots: DigestChange[] = Array.from({ length: 500 }, (_, i) => ({ kind: 'new_problem', target: `t${i}`, text: `t${i}: new crit: ${'&'.repeat(100)}` }));
    const ids = new Map(many.map((r, i) => [r.target, i + 1]));
    const message = digestMessage(digest, { status: 'crit', startedAt: started, durationMs: 5, reports: many }, { firstDigest: false, changes: lots }, { budget: SLACK_BUDGET, late: false, notify: true, slot, storedIds: ids });
    const blocks = renderMessage(message, encodeIntent).blocks as Block[];
    expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    for (const b of blocks) expect(textOf(b).length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    const all = blocks.map(textOf).join('\n');
    // Slack's cumulative limit is about 12,000 characters; the digest adds its changes to the summary's 10,000.
    expect(all.length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT + 2_000);
    expect(all).toMatch(/_and \d+ more_/);
    expect(all).toMatch(/\d+ more targets not shown/);
    const actions = blocks.at(-1)!;
    expect(actions.type).toBe('actions');
    expect(actions.elements).toHaveLength(MAX_ACTIONS_ELEMENTS);
    expect(new Set(actions.elements!.map((e) => e.action_id)).size).toBe(MAX_ACTIONS_ELEMENTS);
  });

  it('shows every change and every target in the terminal', () => {
    const lots: DigestChange[] = Array.from({ length: 40 }, (_, i) => ({ kind: 'new_problem', target: `t${i}`, text: `t${i}: new crit` }));
    const text = renderTerminal(digestMessage(digest, set, { firstDigest: false, changes: lots }, { budget: UNLIMITED_BUDGET, late: false, notify: true, slot, storedIds }), { color: false });
    for (let i = 0; i < 40; i++) expect(text).toContain(`• t${i}: new crit\n`);
    expect(text).not.toMatch(/and \d+ more|not shown/);
  });
});
