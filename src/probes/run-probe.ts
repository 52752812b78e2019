// Runs one probe against one target and always returns a Report: a probe that throws or
// overruns its time becomes a finding, never an exception or a hang for the caller. The kind's
// checks run through runKindChecks (guards, deadlines, thresholds, the kind's secrets); here the
// overall limit, the configured secrets and the runbook links are added.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { buildReport, type Finding, type Report } from '../report.ts';
import { recordProbeRun } from '../metrics/record-probe-run.ts';
import type { Target } from '../config/config.ts';
import { findProbe } from './probe-registry.ts';
import { MemoryProbeStateStore, type ProbeStateStore } from './probe-state.ts';
import { runKindChecks } from './run-kind-checks.ts';
import { scrubFindings } from './scrub-findings.ts';

export interface RunProbeOptions {
  log: Logger;
  /** check id -> runbook id, to link findings to the runbook that explains them. */
  runbookForCheck?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  /** Where probes keep values between runs; in memory when not given. */
  state?: ProbeStateStore;
  /** Every configured secret (configSecrets): given to the probe, and masked in every finding. */
  secrets?: readonly string[];
  /** Only these checks of the kind, by name (`connections`); all when not given. */
  checks?: ReadonlySet<string>;
  /**
   * Every configured target: a target may name another as where its evidence is (an http
   * target's `workload:` on a k8s target, whose error patterns a 5xx finding then quotes).
   */
  targets?: readonly Target[];
}

const processState = new MemoryProbeStateStore();

/** Slack for connect + a statement timeout + pool teardown, beyond the target's own timeout. */
const OVERALL_MARGIN_MS = 2_000;
/** Below this much time left, no evidence is fetched from another target. */
const MIN_EVIDENCE_MS = 200;
/** After the caller aborts, how long a kind has to return what it saw before the run answers without it. */
const STOP_GRACE_MS = 500;

export async function runProbe(target: Target, options: RunProbeOptions): Promise<Report> {
  const startedAt = new Date();
  const probe = findProbe(target.kind);
  const log = options.log.child({ target: target.name, kind: target.kind });
  if (!probe) {
    return buildReport(target.name, target.kind, startedAt, [
      { check: `${target.kind}.probe`, status: 'unknown', title: `No probe for kind ${target.kind}` },
    ]);
  }
  if (target.configProblem !== undefined) {
    // Its kind's keys may be missing: nothing reads them, not even to name the server.
    return buildReport(target.name, probe.kind, startedAt, [configFinding(probe.kind, target.configProblem)]);
  }
  const endpoint = describeEndpoint(probe, target);
  const limitMs = target.timeoutMs * 2 + OVERALL_MARGIN_MS;
  const controller = new AbortController();
  const abortFromCaller = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortFromCaller, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let stopTimer: NodeJS.Timeout | undefined;
  let onCallerAbort: (() => void) | undefined;
  let findings: Finding[];
  try {
    const overrun = new Promise<Finding[]>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error('probe timed out'));
        resolve([{ check: `${probe.kind}.probe`, status: 'crit', title: `Probe timed out after ${(limitMs / 1000).toFixed(1)} s` }]);
      }, limitMs);
    });
    // The caller's own limit (a /triage budget): a kind gets a moment to return what it saw,
    // then the run answers without it, whatever the kind does with the abort.
    const stopped = new Promise<Finding[]>((resolve) => {
      onCallerAbort = () => {
        stopTimer = setTimeout(() => resolve([{ check: `${probe.kind}.probe`, status: 'unknown', title: 'Stopped before it finished: the time for this answer ran out' }]), STOP_GRACE_MS);
      };
      if (options.signal?.aborted) onCallerAbort();
      else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    });
    const ctx = { signal: controller.signal, log, state: (options.state ?? processState).forTarget(stateKey(target.name, endpoint)), ...(options.secrets && { secrets: options.secrets }) };
    const openedAt = Date.now();
    const checked = runKindChecks(probe, target, ctx, options.checks).then(async (found) => {
      // Evidence from another target (the logs behind a 5xx), in what is left of the run's time.
      const left = Math.min(target.timeoutMs, limitMs - (Date.now() - openedAt) - OVERALL_MARGIN_MS);
      if (!probe.evidence || !options.targets || left < MIN_EVIDENCE_MS || controller.signal.aborted) return found;
      try {
        return await probe.evidence(target as never, found, { targets: options.targets, signal: controller.signal, timeoutMs: left, secrets: options.secrets ?? [] });
      } catch (error) {
        log.warn({ err: error }, 'evidence from another target failed');
        return found;
      }
    });
    findings = await Promise.race([checked, overrun, stopped]);
  } catch (error) {
    const ref = randomUUID().slice(0, 8);
    log.error({ err: error, ref }, 'probe failed unexpectedly');
    findings = [{ check: `${probe.kind}.probe`, status: 'unknown', title: `Probe failed: internal error, see logs (ref ${ref})` }];
  } finally {
    clearTimeout(timer);
    clearTimeout(stopTimer);
    options.signal?.removeEventListener('abort', abortFromCaller);
    if (onCallerAbort) options.signal?.removeEventListener('abort', onCallerAbort);
  }
  if (options.secrets) findings = scrubFindings(findings, options.secrets);
  const linked = findings.map((f) => (f.runbook || !options.runbookForCheck?.has(f.check) ? f : { ...f, runbook: options.runbookForCheck.get(f.check) }));
  recordProbeRun(probe.kind, target.name, (Date.now() - startedAt.getTime()) / 1000, linked);
  return buildReport(target.name, probe.kind, startedAt, linked, endpoint);
}

/**
 * Whose counters a run compares with: the target's, on the server it points at. A target repointed
 * at another server (or `chatops diag redis --url` run against several) starts its counters over
 * instead of comparing two servers' counters as if they were one.
 */
function stateKey(name: string, endpoint: string | undefined): string {
  return endpoint ? `${name} ${endpoint}` : name;
}

/** The one finding of a target the bot's configuration leaves unusable. */
function configFinding(kind: string, problem: string): Finding {
  return {
    check: `${kind}.config`,
    status: 'unknown',
    config: true,
    title: `Bot configuration: ${problem}`,
    fix: 'correct the target in the bot\'s configuration (chatops.yml or its environment) and run `chatops config check`; nothing was checked on the server',
  };
}

/** The kind's words for the server, or undefined; a kind's describer that throws costs only the words. */
function describeEndpoint(probe: NonNullable<ReturnType<typeof findProbe>>, target: Target): string | undefined {
  try {
    return probe.describeEndpoint?.(target);
  } catch {
    return undefined;
  }
}
