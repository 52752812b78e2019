// Whatever the report, its message under Slack's budget stays inside Slack's limits once rendered.
import { describe, expect, it } from 'vitest';
import { reportMessage, type ReportMessageOptions } from '../../src/render/report-message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import {
  MAX_ACTION_ID,
  MAX_ACTIONS_ELEMENTS,
  MAX_BLOCKS,
  MAX_BUTTON_TEXT,
  MAX_BUTTON_URL,
  MAX_BUTTON_VALUE,
  MAX_HEADER_TEXT,
  MAX_MESSAGE_TEXT,
  MAX_SECTION_TEXT,
  SLACK_BUDGET,
} from '../../src/slack/slack-budget.ts';
import type { Finding, Report, Status } from '../../src/report.ts';
import { worstStatus } from '../../src/report.ts';
import { huge } from './fixtures.ts';

/** The report message under Slack's budget, as Block Kit. */
const renderReportBlocks = (r: Report, options: Omit<ReportMessageOptions, 'budget'> = {}) => renderMessage(reportMessage(r, { budget: SLACK_BUDGET, ...options }), encodeIntent);

interface TextObject { type: string; text: string }
interface Block {
  type: string;
  text?: TextObject;
  elements?: Array<{ type: string; text?: TextObject | string; action_id?: string; value?: string; url?: string }>;
}

/** Every violated limit, as messages; empty when the message is valid. */
function violations(message: { text: string; blocks: object[] }): string[] {
  const out: string[] = [];
  const blocks = message.blocks as Block[];
  if (blocks.length > MAX_BLOCKS) out.push(`${blocks.length} blocks`);
  let total = 0;
  const count = (where: string, text: string, max: number) => {
    total += text.length;
    if (text.length === 0) out.push(`${where}: empty text`);
    if (text.length > max) out.push(`${where}: ${text.length} > ${max}`);
  };
  blocks.forEach((b, i) => {
    if (b.type === 'header') count(`header ${i}`, b.text!.text, MAX_HEADER_TEXT);
    else if (b.type === 'section') count(`section ${i}`, b.text!.text, MAX_SECTION_TEXT);
    else if (b.type === 'context') for (const e of b.elements!) count(`context ${i}`, e.text as string, MAX_SECTION_TEXT);
    else if (b.type === 'actions') {
      if (b.elements!.length > MAX_ACTIONS_ELEMENTS) out.push(`actions ${i}: ${b.elements!.length} elements`);
      const ids = b.elements!.map((e) => e.action_id!);
      if (new Set(ids).size !== ids.length) out.push(`actions ${i}: duplicate action_id in ${ids.join(' ')}`);
      for (const e of b.elements!) {
        count(`button ${i}`, (e.text as TextObject).text, MAX_BUTTON_TEXT);
        if (e.action_id!.length > MAX_ACTION_ID) out.push(`button ${i}: action_id too long`);
        if (e.value !== undefined && (e.value.length > MAX_BUTTON_VALUE || e.value.length === 0)) out.push(`button ${i}: value ${e.value.length}`);
        if (e.url !== undefined && e.url.length > MAX_BUTTON_URL) out.push(`button ${i}: url ${e.url.length}`);
      }
    } else out.push(`block ${i}: unexpected type ${b.type}`);
    if (b.text && /[<>]/.test(b.text.text.replace(/<!date\^[^>]*>/g, '')) && b.text.type === 'mrkdwn') out.push(`block ${i}: unescaped < or >`);
  });
  if (total > MAX_MESSAGE_TEXT) out.push(`total text ${total} > ${MAX_MESSAGE_TEXT}`);
  return out;
}

const sections = (blocks: object[]) => (blocks as Block[]).filter((b) => b.type === 'section');

describe('the huge report', () => {
  const message = renderReportBlocks(huge, { runbookUrl: (id) => `https://runbooks.example.com/${id}` });
  const blocks = message.blocks as Block[];

  it('stays inside every limit, with the "Declare incident" button too', () => {
    expect(violations(message)).toEqual([]);
    const declaring = renderReportBlocks(huge, { runbookUrl: (id) => `https://runbooks.example.com/${id}`, declareIncident: true });
    expect(violations(declaring)).toEqual([]);
    expect(JSON.stringify(declaring.blocks)).toContain('"action_id":"incident:declare"');
  });

  it('keeps the worst findings and says how many more there are', () => {
    const shown = sections(blocks).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(80);
    const more = blocks.flatMap((b) => (b.type === 'context' ? b.elements!.map((e) => e.text as string) : []));
    expect(more).toContain(`_${80 - shown} more findings not shown (use the CLI with --json for all)_`);
    // The 28 crit findings come first; everything shown here is crit.
    for (const s of sections(blocks)) expect(s.text!.text.startsWith('*:red_circle:')).toBe(true);
  });

  it('cuts the long detail and says how many lines were left out', () => {
    const first = sections(blocks)[0]!.text!.text;
    expect(first).toMatch(/_\d+ more lines · 2 more actions not shown_$/);
    expect(first).toContain('…');
  });

  it('keeps at most 5 remedies plus the runbook, and drops a remedy whose value cannot fit', () => {
    const actions = blocks.filter((b) => b.type === 'actions');
    expect(actions[0]!.elements!.map((e) => e.action_id)).toEqual([
      'remedy:postgres.cancel_query',
      'remedy:postgres.cancel_query:2',
      'remedy:postgres.cancel_query:3',
      'remedy:postgres.cancel_query:4',
      'remedy:postgres.cancel_query:5',
      'runbook:open',
    ]);
    expect(actions[1]!.elements!.map((e) => (e.text as TextObject).text)).toEqual(['Kill with a small parameter']);
    expect(JSON.parse(actions[1]!.elements![0]!.value!)).toEqual({ action: 'postgres.kill', params: { pid: 7 }, target: 'db-main' });
  });
});

describe('limits on other shapes', () => {
  it('holds when every finding needs two blocks and has no detail (the block limit binds)', () => {
    const findings: Finding[] = Array.from({ length: 60 }, (_, i) => ({
      check: `x.c${i}`, status: 'warn', title: `w${i}`, runbook: 'rb',
    }));
    const message = renderReportBlocks(report(findings));
    expect(violations(message)).toEqual([]);
    // 50 - header - context - "more" line leaves 47 blocks: 23 findings of 2 blocks each.
    expect(message.blocks).toHaveLength(MAX_BLOCKS - 1);
    const shown = sections(message.blocks).length;
    expect(shown).toBe(23);
    expect(JSON.stringify(message.blocks)).toContain(`${60 - shown} more findings not shown`);
  });

  it('holds when text made of & and < is five times longer once escaped', () => {
    const findings: Finding[] = Array.from({ length: 40 }, (_, i) => ({
      check: `x.c${i}`, status: 'crit', title: '&'.repeat(400), detail: '<&>'.repeat(2000).replace(/(.{150})/g, '$1\n'),
    }));
    const message = renderReportBlocks(report(findings));
    expect(violations(message)).toEqual([]);
  });

  it('holds for random reports', () => {
    const random = mulberry32(42);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const alphabet = ['a', 'b', ' ', '&', '<', '>', '`', '\n', '\t', '😀', 'é', '*', '_', '\u0007', '\r\n'];
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(alphabet)).join('');
    for (let run = 0; run < 150; run++) {
      const findings: Finding[] = Array.from({ length: Math.floor(random() * 120) }, (_, i) => ({
        check: `x.${text(40)}${i}`,
        status: pick(['ok', 'warn', 'crit', 'unknown'] as const),
        title: text(random() < 0.1 ? 5000 : 100),
        ...(random() < 0.7 && { detail: text(random() < 0.2 ? 20_000 : 500) }),
        ...(random() < 0.5 && {
          remedies: Array.from({ length: Math.floor(random() * 9) }, () => ({
            action: pick(['a.x', 'a.y', 'a.z']), label: text(150), params: { p: text(random() < 0.1 ? 4000 : 50) },
          })),
        }),
        ...(random() < 0.5 && { runbook: text(random() < 0.05 ? 3000 : 30) || 'rb' }),
      }));
      const r = { ...report(findings), target: text(random() < 0.1 ? 400 : 30) };
      const message = renderReportBlocks(r, { runbookUrl: (id) => (random() < 0.5 ? `https://x.example/${encodeURIComponent(id)}` : 'not a url') });
      expect(violations(message), `run ${run}`).toEqual([]);
      const bad = findings.filter((f) => f.status !== 'ok').length;
      const shown = sections(message.blocks).length;
      if (shown < bad) expect(JSON.stringify(message.blocks)).toContain(`${bad - shown} more finding`);
      else expect(shown).toBe(bad);
    }
  });
});

function report(findings: Finding[]): Report {
  return {
    target: 'db', kind: 'x', status: worstStatus(findings.map((f) => f.status) as Status[]),
    startedAt: '2025-03-14T09:26:53.000Z', durationMs: 5, findings,
  };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
