// /runbook search <words>: the message (golden files in Block Kit and in the terminal), and the
// command through the real bot with signed requests and through bin/chatops, ranked as /triage ranks.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runbookSearchMessage, SEARCH_RESULTS } from '../../commands/runbook.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks, type RunbookIndex } from '../../src/runbooks/load-runbooks.ts';
import type { Runbook } from '../../src/runbooks/runbook.ts';
import { rankRunbooks } from '../../src/triage/rank-runbooks.ts';
import type { RankedRunbook } from '../../src/triage/triage-result.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { expectGoldenBoth } from '../render/render-both.ts';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { isolatedCliEnv } from '../cli/isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const SHIPPED = loadRunbooks(path.resolve(import.meta.dirname, '../../runbooks'), allCheckIds());

const runbook = (id: string, title: string): Runbook => ({
  id,
  title,
  summary: 's',
  severityHint: 'warn',
  symptoms: ['x'],
  checks: [],
  remedies: [],
  evidence: [],
  manual: [],
  body: 'b',
  file: `runbooks/${id}.md`,
});
const FIXTURES = [
  runbook('postgres-connection-exhaustion', 'PostgreSQL connection slots running out'),
  runbook('postgres-connection-failures', 'Cannot connect to PostgreSQL'),
  runbook('redis-connection-problems', 'Redis refuses or drops connections'),
  runbook('postgres-locks', 'PostgreSQL lock contention & <deadlocks>'),
  runbook('http-health-endpoint', 'An HTTP endpoint fails its health check'),
  runbook('ai-provider-outage', 'The AI provider is down'),
  runbook('third-party-api-limits', 'A third-party API rate-limits us'),
];
const INDEX: Pick<RunbookIndex, 'byId'> = { byId: new Map(FIXTURES.map((r) => [r.id, r])) };
/** A ranking as rankRunbooks returns it: best first, with the words that matched. */
const RANKED: RankedRunbook[] = [
  { runbook: 'postgres-connection-exhaustion', score: 0.93, matched: ['too', 'many', 'clients'] },
  { runbook: 'postgres-connection-failures', score: 0.41, matched: ['clients'] },
  { runbook: 'redis-connection-problems', score: 0.33, matched: ['clients'] },
  { runbook: 'postgres-locks', score: 0.2, matched: [] },
  { runbook: 'http-health-endpoint', score: 0.12, matched: ['many'] },
  { runbook: 'ai-provider-outage', score: 0.08, matched: ['too'] },
  { runbook: 'third-party-api-limits', score: 0.06, matched: ['many'] },
];

describe('the search message', () => {
  it('golden: the best five with how well each matches, the words that matched and how to open it; the rest counted', () => {
    expectGoldenBoth('runbook-search', (budget) => runbookSearchMessage('too many  clients', RANKED, INDEX, budget));
  });

  it('golden: nothing matches, and how to list every runbook', () => {
    expectGoldenBoth('runbook-search-none', (budget) => runbookSearchMessage('qwzx <frobnicator>', [], INDEX, budget));
  });

  it('shows at most five, and leaves out runbooks it does not know and scores of zero', () => {
    const message = runbookSearchMessage('w', [{ runbook: 'gone', score: 0.9, matched: ['w'] }, ...RANKED, { runbook: 'postgres-locks', score: 0, matched: [] }], INDEX, SLACK_BUDGET);
    const list = message.blocks.flatMap((b) => (b.type === 'section' ? b.paragraphs : [])).find((p) => p.type === 'list');
    expect(list?.type === 'list' && list.items.length).toBe(SEARCH_RESULTS);
    expect(JSON.stringify(message)).not.toContain('"gone"');
  });
});

describe('/runbook search through the bot', () => {
  const t = useHttpTestBot(() => 'targets: {}\n');
  const runbook = async (text: string, id: string): Promise<string> => {
    expect((await t.send(slashCommandBody({ command: '/runbook', text, responseUrl: t.slack.responseUrl(id) }))).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === id));
    const reply = t.slack.callsTo('respond').find((c) => c.responseId === id)!;
    expect(reply.args.response_type).toBe('ephemeral');
    return callText(reply);
  };

  it('answers with the runbooks /triage would pick for the words, best first, each with how to open it', async () => {
    const words = 'FATAL: sorry, too many clients already';
    const reply = await runbook(`search ${words}`, 's1');
    const ranked = rankRunbooks(words, SHIPPED.all, { limit: SEARCH_RESULTS });
    expect(ranked.length).toBeGreaterThan(0);
    // In the ranker's order, each with its /runbook line.
    const at = ranked.map((r) => reply.indexOf(`\`/runbook ${r.runbook}\``));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(ranked.map((r) => r.runbook)).toContain('postgres-connection-exhaustion');
    expect(reply).toContain(`*${SHIPPED.byId.get(ranked[0]!.runbook)!.title.replace(/&/g, '&amp;')}*`);
    expect(reply).toMatch(/\((strong|partial) match\)/);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('says when nothing matches and how to list them all; no words is a usage error naming the form', async () => {
    expect(await runbook('search qwzx blorptang', 's2')).toContain('No runbook matches “qwzx blorptang”. `/runbook list` lists every runbook.');
    const usage = await runbook('search   ', 's3');
    expect(usage).toContain('say what is wrong after search: `/runbook search &lt;words&gt;`');
  });
});

describe('chatops runbook search', { timeout: 120_000 }, () => {
  const chatops = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(BIN, args, { env: { ...isolatedCliEnv() }, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
    });

  it('prints the ranked runbooks with the terminal command that opens each; no words is a usage error (3)', async () => {
    const words = ['redis', 'OOM', 'command', 'not', 'allowed'];
    const run = await chatops(['runbook', 'search', ...words, '--no-color']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [best] = rankRunbooks(words.join(' '), SHIPPED.all);
    expect(run.stdout).toContain(`chatops runbook ${best!.runbook}`);
    expect(run.stdout).not.toContain('/runbook');
    const empty = await chatops(['runbook', 'search']);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('chatops runbook search <words>');
  });
});
