// The engine's part of every run, whatever the kind: each check gets its own thresholds (defaults
// merged with the target's overrides), a check that throws or returns nothing is an `unknown`
// finding naming why, the session's budget cuts slow checks short, the session is closed whatever
// happens, the target's secrets never reach a finding, and the runtime is loaded on first use only.
// A kind written here for the purpose drives it; the real kinds' runs are in the kind folders' tests.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../src/logger.ts';
import { findingFor } from '../../src/probes/finding-for.ts';
import { checkKinds } from '../../src/probes/check-kinds.ts';
import { kindRuntimes } from '../../src/probes/kind-runtimes.ts';
import type { CheckDefinition, KindDefinition, KindRuntime, Opened, TargetBase, Thresholds } from '../../src/probes/probe-definition.ts';
import { PROBES } from '../../src/probes/probe-registry.ts';
import { MemoryProbeStateStore } from '../../src/probes/probe-state.ts';
import { runKindChecks } from '../../src/probes/run-kind-checks.ts';
import type { Finding } from '../../src/report.ts';

type Target = TargetBase & { url: string };
interface Ctx { seen: Record<string, Thresholds>; has: Set<string> }

const finding = findingFor<string>('toy');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const load: CheckDefinition<Ctx> = {
  name: 'load',
  label: 'Load',
  description: 'How loaded it is.',
  thresholds: { warn: 70, crit: 90, unit: '%' },
  run: (ctx, own) => {
    ctx.seen.load = own;
    return [finding('load', 'ok', 'Load fine')];
  },
};

function toyKind(open: (target: Target) => Promise<Opened<Ctx>> | Opened<Ctx>, extra: CheckDefinition<Ctx>[] = []): KindDefinition<Target, Ctx> & { loads: number; closed: number } {
  const kind = {
    loads: 0,
    closed: 0,
    kind: 'toy',
    aliases: [],
    description: 'A kind for the engine tests',
    targetSchema: z.object({ url: z.string() }),
    fromUrl: (url: string) => ({ url }),
    checks: [{ name: 'reachable', label: 'Reachability', description: 'Answers.' }, load, ...extra],
    actions: [],
    trends: [],
    secrets: (t: Target) => [new URL(t.url).password],
    runtime: async (): Promise<KindRuntime<Target, Ctx>> => {
      kind.loads++;
      return { open: async (t) => open(t), closeAll: async () => void kind.closed++ };
    },
  };
  return kind;
}

const target = (over: Partial<Target> = {}): Target => ({ name: `toy-${Math.random()}`, kind: 'toy', url: 'toy://user:hunter2secret@host', thresholds: {}, timeoutMs: 1_000, ...over });
const ctx = (signal = new AbortController().signal) => ({ signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('toy') });
const titles = (findings: Finding[]) => findings.map((f) => `${f.check} ${f.status} ${f.title}`);

describe('runKindChecks', () => {
  it('runs only the checks asked for, with the session\'s own findings', async () => {
    const ran: string[] = [];
    const spy = (name: string): CheckDefinition<Ctx> => ({ name, label: name, description: name, run: () => (ran.push(name), [finding(name, 'ok', `${name} fine`)]) });
    const kind = toyKind(() => ({ lead: [finding('reachable', 'ok', 'Answers')], ctx: { seen: {}, has: new Set() }, describeError: String }), [spy('disk'), spy('queue')]);
    const findings = await runKindChecks(kind, target(), ctx(), new Set(['queue']));
    expect(ran).toEqual(['queue']);
    expect(titles(findings)).toEqual(['toy.reachable ok Answers', 'toy.queue ok queue fine']);
  });

  it('gives each check its own thresholds, another check\'s by the check object, and guards each one', async () => {
    const seen: Record<string, Thresholds> = {};
    let closed = 0;
    const kind = toyKind(() => ({
      lead: [finding('reachable', 'ok', 'Reachable')],
      ctx: { seen, has: new Set() },
      describeError: (e) => `said ${(e as Error).message}`,
      close: () => void closed++,
    }), [
      { name: 'errors', label: 'Errors', description: 'Reads load\'s thresholds too.', thresholds: { warn: 1, crit: 5, unit: '/s' }, run: (c, own, of) => {
        c.seen.errors = own;
        c.seen.errorsSawLoad = of(load);
        return [finding('errors', 'ok', 'No errors')];
      } },
      { name: 'broken', label: 'Broken thing', description: 'Throws.', run: () => { throw new Error('permission denied for hunter2secret'); } },
      { name: 'silent', label: 'Silent thing', description: 'Returns nothing.', run: async () => [] },
      { name: 'plain', label: 'Plain', description: 'Has no thresholds.', run: (c, own) => {
        c.seen.plain = own;
        return [finding('plain', 'ok', 'Plain')];
      } },
    ]);
    const findings = await runKindChecks(kind, target({ thresholds: { load: { warn: 50, crit: 60 }, nope: { warn: 1, crit: 2 } } }), ctx());
    expect(titles(findings)).toEqual([
      'toy.reachable ok Reachable',
      'toy.load ok Load fine',
      'toy.errors ok No errors',
      'toy.broken unknown Broken thing: could not check (said permission denied for ***)',
      'toy.silent unknown Silent thing: the check returned nothing',
      'toy.plain ok Plain',
    ]);
    expect(seen).toEqual({
      load: { warn: 50, crit: 60 },
      errors: { warn: 1, crit: 5 },
      errorsSawLoad: { warn: 50, crit: 60 },
      plain: { warn: Infinity, crit: Infinity },
    });
    expect(closed).toBe(1);
  });

  it('cuts a check short at the session\'s budget and names the timeout; leaves out checks that do not apply or miss what they need', async () => {
    const kind = toyKind(() => ({
      ctx: { seen: {}, has: new Set(['pods']) },
      budgetMs: 200,
      describeError: String,
      missing: (need) => (need === 'nodes' ? 'listing nodes is forbidden' : undefined),
    }), [
      { name: 'slow', label: 'Slow thing', description: 'Never ends in time.', run: async () => {
        await sleep(2_000);
        return [finding('slow', 'ok', 'late')];
      } },
      { name: 'nodes', label: 'Nodes', description: 'Needs the nodes.', needs: ['pods', 'nodes'], run: () => [finding('nodes', 'ok', 'Nodes fine')] },
      { name: 'optional', label: 'Optional', description: 'Only sometimes.', applies: (c) => c.has.has('optional'), run: () => [finding('optional', 'ok', 'ran')] },
    ]);
    const started = performance.now();
    const findings = await runKindChecks(kind, target(), ctx());
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(titles(findings)).toEqual([
      'toy.load ok Load fine',
      'toy.slow unknown Slow thing: could not check (did not finish within 1000 ms)',
      'toy.nodes unknown Nodes: could not check (listing nodes is forbidden)',
    ]);
  });

  it('reports only what the session says when it stops, every check unknown when the session cannot serve them, and closes it', async () => {
    let closed = 0;
    const stopped = toyKind(() => ({ stop: [finding('reachable', 'crit', 'Unreachable: refused by user:hunter2secret')], close: () => void closed++ }));
    expect(titles(await runKindChecks(stopped, target(), ctx()))).toEqual(['toy.reachable crit Unreachable: refused by user:***']);
    const unavailable = toyKind(() => ({ lead: [finding('reachable', 'ok', 'Reachable')], unavailable: 'INFO failed: timeout', close: () => void closed++ }));
    expect(titles(await runKindChecks(unavailable, target(), ctx()))).toEqual(['toy.reachable ok Reachable', 'toy.load unknown Load: could not check (INFO failed: timeout)']);
    expect(closed).toBe(2);
  });

  it('a session that throws is a finding of the first check; a cancelled run says so without opening a session', async () => {
    const failing = toyKind(() => {
      throw new Error('socket hang up');
    });
    expect(titles(await runKindChecks(failing, target(), ctx()))).toEqual(['toy.reachable unknown Probe failed: socket hang up']);
    const never = toyKind(() => {
      throw new Error('must not open');
    });
    const controller = new AbortController();
    controller.abort();
    expect(titles(await runKindChecks(never, target(), ctx(controller.signal)))).toEqual(['toy.reachable unknown Probe cancelled before it started']);
    expect(never.loads).toBe(0);
  });

  it('loads a kind\'s runtime on its first run only, and closes only the runtimes that were loaded', async () => {
    const kind = toyKind(() => ({ stop: [finding('reachable', 'ok', 'Reachable')] }));
    const idle = toyKind(() => ({ stop: [] }));
    idle.kind = 'idle-toy';
    await runKindChecks(kind, target(), ctx());
    await runKindChecks(kind, target(), ctx());
    expect(kind.loads).toBe(1);
    await kindRuntimes.closeAll();
    expect([kind.closed, idle.loads, idle.closed]).toEqual([1, 0, 0]);
  });
});

describe('the kind registry', () => {
  it('registers the shipped kinds without a problem', () => {
    expect(checkKinds(PROBES)).toEqual([]);
    expect(PROBES.map((p) => p.kind)).toEqual(['postgres', 'redis', 'http', 'prometheus', 'alertmanager', 'k8s', 'stripe', 'openai', 'sendgrid']);
  });

  it('names a word claimed twice, a malformed or repeated check name, bad thresholds, and a trend of another kind\'s check', () => {
    const a = toyKind(() => ({ stop: [] }), [
      { name: 'load', label: 'Load', description: 'Again.' },
      { name: 'Idle-In-Tx', label: 'Idle', description: 'Bad name.' },
      { name: 'ratio', label: 'Ratio', description: 'No unit.', thresholds: { warn: 1, crit: Number.NaN, unit: '' } },
    ]);
    const b = { ...toyKind(() => ({ stop: [] })), kind: 'other', aliases: ['toy'] };
    b.trends = [{ check: load, metric: 'pct', label: 'load %' }];
    b.checks = [{ name: 'reachable', label: 'Reachability', description: 'Answers.' }];
    expect(checkKinds([a, b] as unknown as typeof PROBES)).toEqual([
      'kind toy: check load is defined twice',
      'kind toy: check name "Idle-In-Tx" must be lowercase letters, digits and _',
      'kind toy: check ratio thresholds must be numbers warn and crit with a unit',
      'probe word "toy" is claimed by both toy and other',
      'kind other: trend metric pct names check load, which is not one of its checks',
    ]);
  });
});
