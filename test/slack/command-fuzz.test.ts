// Every command's text, fuzzed through the real bot: random Unicode, control characters, 10 kB,
// mentions, SQL and shell fragments, each after the command's own subcommand words. Whatever
// arrives, the presser gets an answer (a usage message or a real reply) and never "internal
// error"; the bot keeps serving. Seeded, so a failure names a text that reproduces it.
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.ts';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';

const t = useHttpTestBot(() => `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
${INCIDENTS_YAML}access:
  oncall.override:
    users: [U0ALICE]
  audit:
    users: [U0ALICE]
`, { ownStore: 'fuzz' });

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  "'; DROP TABLE incidents; --", '$(rm -rf /)', '`id`', '| cat /etc/passwd', '<!channel>', '<!here>', '<@U0ALICE>', '<!subteam^S0DBA>',
  '<#C0OPS|ops>', '<https://evil.example|click>', '*bold* _it_ ~x~', '```', '%00', '%s%s%n', '../../etc', '{"a":1}', 'null', 'NaN', '-1',
  '9999999999999999999999', '1e309', '0x1f', 'sev0', 'sev5', 'sev1', 'INC-', 'INC-0', 'INC-99999999999999', '1h', '-5m', '999999d', 'P1D',
  '\u0000', '\u001b[2J', '\u202e', '\u2066', '\r\n', '\t', '🔥', '𝕏', 'é', 'ﷺ', '\u0301', '数据库', 'русский', 'עברית',
];

function randomText(next: () => number, words: readonly string[]): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const parts: string[] = [];
  if (words.length && next() < 0.7) parts.push(pick(words));
  const n = 1 + Math.floor(next() * 5);
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.45) parts.push(pick(FRAGMENTS));
    else if (r < 0.8) parts.push(Array.from({ length: 1 + Math.floor(next() * 12) }, () => String.fromCodePoint(randomCodePoint(next))).join(''));
    else if (r < 0.9) parts.push(String(Math.floor(next() * 1e6) - 1000));
    else parts.push(pick(words.length ? words : ['x']));
  }
  if (next() < 0.06) parts.push('x'.repeat(10_000));
  return parts.join(next() < 0.8 ? ' ' : '');
}

/** Mostly printable, sometimes controls, surrogate-free (UTF-8 cannot carry a lone surrogate over HTTP). */
function randomCodePoint(next: () => number): number {
  const r = next();
  if (r < 0.1) return Math.floor(next() * 0x20);
  if (r < 0.6) return 0x20 + Math.floor(next() * 0x5f);
  if (r < 0.9) return 0xa0 + Math.floor(next() * (0xd7ff - 0xa0));
  return 0x10000 + Math.floor(next() * 0xfffff);
}

/** Words each command understands, so the fuzz reaches past the first branch. */
const SUBCOMMANDS: Record<string, string[]> = {
  '/diag': ['db', 'main-db', 'all', 'k8s', 'postgres', 'help'],
  '/runbook': ['postgres-connection-exhaustion', 'list', 'help'],
  '/digest': ['now', 'history', 'list', 'help'],
  '/audit': ['5', '0', '1000', 'help'],
  '/oncall': ['override', 'override <@U0BOB>', 'help'],
  '/incident': ['declare', 'declare sev2', 'sev1', 'note 1', 'ack', 'resolve', 'escalate', 'sev', 'show', 'list', 'help'],
};

const PER_COMMAND = 24;
const NASTY = ['\u0000', 'a\u0000b', '\u001b[2J', '\u202e', "'; DROP TABLE incidents; --", '$(id)', '<!channel>', '<@U0ALICE>', '9999999999999999999999', 'x'.repeat(10_000)];

describe('command text fuzzing', () => {
  it('every command answers every text, and never with an internal error', { timeout: 240_000 }, async () => {
    const next = rng(20261201);
    const random = COMMANDS.flatMap((c) => Array.from({ length: PER_COMMAND }, () => ({ command: c.name, text: randomText(next, SUBCOMMANDS[c.name] ?? []) })));
    // And every subcommand word followed by each of the nastiest fragments, so each branch meets them.
    const targeted = COMMANDS.flatMap((c) => ['', ...(SUBCOMMANDS[c.name] ?? [])].flatMap((word) => NASTY.map((frag) => ({ command: c.name, text: `${word} ${frag} tail`.trim() }))));
    const cases = [...random, ...targeted];
    let n = 0;
    const failures: string[] = [];
    // Four at a time: the state store and the fake Slack API see concurrency as they do in use.
    const queue = [...cases];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const id = `F${++n}`;
        const channel = `CFUZZ${n}`;
        const res = await t.send(slashCommandBody({ command: c.command, text: c.text, responseUrl: t.slack.responseUrl(id), channelId: channel }));
        if (res.status !== 200) {
          failures.push(`${c.command} ${JSON.stringify(c.text).slice(0, 200)}: HTTP ${res.status}`);
          continue;
        }
        const answered = () => t.slack.calls.some((call) => call.responseId === id || call.args.channel === channel);
        await t.slack.waitFor(answered, 20_000).catch(() => failures.push(`${c.command} ${JSON.stringify(c.text).slice(0, 200)}: no answer`));
        const answer = t.slack.calls.filter((call) => call.responseId === id || call.args.channel === channel).map(callText).join('\n');
        if (/internal error/i.test(answer)) failures.push(`${c.command} ${JSON.stringify(c.text).slice(0, 200)}: ${answer.slice(0, 300)}`);
      }
    }));
    expect(failures).toEqual([]);
    expect(n).toBe(cases.length);
    expect((await fetch(`http://127.0.0.1:${t.bot.port}/healthz`)).status).toBe(200);
  });
});
