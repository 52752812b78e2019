// One run of a kind against one target, the same way for every kind: the default timeout, the
// runtime loaded on first use, its session opened, every check run at once with its own
// thresholds, each guarded (a check that throws is an `unknown` finding naming the reason) and
// bounded by the session's budget, then the session closed and the target's secrets masked in
// every finding. Never throws: whatever goes wrong is a finding.
import type { Finding } from '../report.ts';
import { DEFAULT_TIMEOUT_MS } from '../config/config.ts';
import { findingFor } from './finding-for.ts';
import { kindRuntimes } from './kind-runtimes.ts';
import { resolveThresholds, type CheckDefinition, type KindDefinition, type Opened, type ProbeContext, type TargetBase, type Thresholds } from './probe-definition.ts';
import { scrubFindings, sortedSecrets } from './scrub-findings.ts';
import { untilDeadline } from './until-deadline.ts';

/** The thresholds of a check that has none: nothing is ever over them. */
const NONE: Thresholds = { warn: Infinity, crit: Infinity };

/**
 * `only`: the names of the checks to run (`connections`), when not all; the session's own findings
 * (reachable) come whatever it holds.
 */
export async function runKindChecks<T extends TargetBase, C>(kind: KindDefinition<T, C>, target: T, ctx: ProbeContext, only?: ReadonlySet<string>): Promise<Finding[]> {
  const finding = findingFor(kind.kind);
  const first = kind.checks[0]!;
  const timeoutMs = target.timeoutMs > 0 ? target.timeoutMs : DEFAULT_TIMEOUT_MS;
  const secrets = sortedSecrets([...kind.secrets(target), ...(ctx.secrets ?? [])]);
  const scrub = (findings: Finding[]) => scrubFindings(findings, secrets);
  if (ctx.signal.aborted) return [finding(first.name, 'unknown', 'Probe cancelled before it started')];

  let opened: Opened<C> | undefined;
  try {
    const runtime = await kindRuntimes.load(kind);
    opened = await runtime.open(target, { ...ctx, timeoutMs, secrets });
    if ('stop' in opened) return scrub(opened.stop);
    const runnable = kind.checks.filter((c) => c.run !== undefined && (only === undefined || only.has(c.name)));
    if ('unavailable' in opened) {
      const why = opened.unavailable;
      return scrub([...opened.lead, ...runnable.map((c) => finding(c.name, 'unknown', `${c.label}: could not check (${why})`))]);
    }
    const session = opened;
    const resolved = resolveThresholds(kind, target.thresholds);
    const of = (check: CheckDefinition<C>) => (Object.hasOwn(resolved, check.name) ? resolved[check.name]! : NONE);
    const applicable = runnable.filter((c) => c.applies?.(session.ctx) ?? true);
    const results: Array<Finding[] | undefined> = applicable.map(() => undefined);
    const guarded = async (check: CheckDefinition<C>): Promise<Finding[]> => {
      const missing = check.needs?.map((need) => session.missing?.(need)).find((why) => why !== undefined);
      if (missing !== undefined) return [finding(check.name, 'unknown', `${check.label}: could not check (${missing})`)];
      try {
        const findings = await check.run!(session.ctx, of(check), of);
        return findings.length ? findings : [finding(check.name, 'unknown', `${check.label}: the check returned nothing`)];
      } catch (e) {
        return [finding(check.name, 'unknown', `${check.label}: could not check (${session.describeError(e)})`)];
      }
    };
    const all = Promise.all(applicable.map(async (check, i) => {
      results[i] = await guarded(check);
    }));
    if (session.budgetMs === undefined) await all;
    else await untilDeadline(all, Math.max(0, session.budgetMs), ctx.signal);
    const cancelled = ctx.signal.aborted;
    const unfinished = (check: CheckDefinition<C>): Finding =>
      session.unfinished?.(check, cancelled) ??
      finding(check.name, 'unknown', `${check.label}: could not check (${cancelled ? 'probe cancelled' : `did not finish within ${timeoutMs} ms`})`);
    const byCheck = applicable.map((check, i) => ({ check, findings: results[i] ?? [unfinished(check)] }));
    const findings = [...(session.lead ?? []), ...byCheck.flatMap((r) => r.findings)];
    return scrub(session.finish ? await session.finish(findings, byCheck) : findings);
  } catch (e) {
    // Every check is guarded; this is the net under the net, so the caller still gets a finding.
    ctx.log.error({ err: e }, `${kind.kind} probe failed`);
    return scrub([finding(first.name, 'unknown', `Probe failed: ${e instanceof Error ? e.message : String(e)}`)]);
  } finally {
    await Promise.resolve(opened?.close?.()).catch((e: unknown) => ctx.log.debug({ err: e }, `${kind.kind} probe: closing the session failed`));
  }
}
