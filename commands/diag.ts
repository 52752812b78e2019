// /diag [target|kind|all|help]: runs a probe (or all of them) and answers with the report.
import { runProbe } from '../src/probes/run-probe.ts';
import { findProbe, PROBES } from '../src/probes/probe-registry.ts';
import { lowerIsWorse, resolveThresholds, thresholdsReversed, type DefaultThresholds, type Thresholds } from '../src/probes/probe-definition.ts';
import { isConfigProblem } from '../src/report.ts';
import type { Target } from '../src/config/config.ts';
import type { KubeTarget } from '../src/probes/kubernetes/kube-target.ts';
import { resolveTargetWords } from '../src/probes/resolve-target.ts';
import { describeScope } from '../src/probes/describe-scope.ts';
import { reportMessage, type ReportMessageOptions } from '../src/render/report-message.ts';
import { summaryMessage } from '../src/render/summary-message.ts';
import type { Budget } from '../src/message/budget.ts';
import { code, command, em, line, progressMessage, section, spans, strong, type Line, type Message } from '../src/message/message.ts';
import type { AppServices } from '../src/app-services.ts';
import type { CommandInvocation, CommandOutcome, CommandSource, SlashCommand } from '../src/slash-command.ts';
import { runAllProbes } from '../src/probes/run-all-probes.ts';
import { plural } from '../src/render/display-report.ts';
import { UserError } from '../src/user-error.ts';
import { fitList } from './parts/fit-list.ts';

/** The kinds whose runs a word after the target narrows (k8s: a namespace), and that word. */
const SCOPED = PROBES.filter((p) => p.scopeWord !== undefined);
const SCOPE_HINT = SCOPED.length > 0 ? ` [${[...new Set(SCOPED.map((p) => p.scopeWord))].join(' | ')}]` : '';

export const diagCommand: SlashCommand = {
  name: '/diag',
  description: 'Run read-only diagnostics against a configured target',
  usageHint: `[target | kind | all | help]${SCOPE_HINT}`,
  run: (invocation) => runDiag(invocation, {}),
};

/** What a terminal run may ask of /diag besides its words. */
export interface DiagOptions {
  /** Only these checks of the target's kind (by name, `connections` or `postgres.connections`); its first check always runs. */
  checks?: readonly string[];
  /** Thresholds of the one check named in `checks`, over the target's. */
  thresholds?: { warn?: number | undefined; crit?: number | undefined };
}

/** /diag with the terminal's options; the slash command is this with none. */
export async function runDiag(invocation: CommandInvocation, options: DiagOptions): Promise<CommandOutcome | void> {
  const { text, userId, channelId, reply, services } = invocation;
  const words = text.trim().split(/\s+/).filter(Boolean);
  const word = words[0] ?? '';
  if (word === '' || word === 'help') {
    await reply.ephemeral(diagHelp(services, reply.budget));
    return;
  }
  const narrowed = options.checks !== undefined || options.thresholds !== undefined;
  if (word === 'logs' && !services.config.targets.some((t) => t.name === 'logs')) {
    if (narrowed) throw new UserError('diag logs groups the error lines of a workload\'s logs: it takes no checks or thresholds');
    return await diagLogsForm(invocation, words.slice(1));
  }
  if (word === 'explain' && !services.config.targets.some((t) => t.name === 'explain')) {
    if (narrowed) throw new UserError('diag explain looks an error code or message up: it takes no checks or thresholds');
    const { diagExplain } = await import('../src/triage/explain/diag-explain.ts');
    return await diagExplain(invocation, text.trim().slice(word.length));
  }
  if (word === 'all') {
    if (narrowed) throw new UserError('checks and thresholds are chosen for one target: name a target or a kind, not all');
    return await diagAll(invocation);
  }
  const resolved = resolveTargetWords(services.config, words);
  if (resolved.configProblem !== undefined && reply.source === 'cli') {
    throw new UserError(`${resolved.name} cannot be run: its configuration has a problem (${resolved.configProblem}); chatops config check lists every problem of ${services.config.source}`);
  }
  const { target, checks } = narrowed ? narrowTarget(resolved, options) : { target: resolved, checks: undefined };
  const scope = describeScope(target);
  const posted = await reply.post(progressMessage(`Running ${target.kind} diagnostics on `, strong(target.name), `${scope}…`));
  // With --check the engine runs only those checks (the session's own findings come too).
  const report = await runProbe(target, { log: services.log, runbookForCheck: services.runbooks.byCheck, state: services.probeState, secrets: services.secrets, targets: services.config.targets, ...(checks && { checks }) });
  await posted.update(reportMessage(report, { budget: reply.budget, ...reportOptions(services), explain: reply.source !== 'cli' }));
  await audit(services, { actor: userId, channel: channelId, source: reply.source, target: target.name, text, outcome: report.status, durationMs: report.durationMs });
  return { status: report.status, data: report };
}

const LOGS_USAGE = 'diag logs [target] <workload|pod> [since]';

/**
 * `/diag logs [target] <name> [since]`: the error lines of a workload's (or a pod's) logs grouped
 * by pattern, as a k8s report (src/probes/kubernetes/logs/diag-logs.ts). The target may be left
 * out when one k8s target is configured.
 */
async function diagLogsForm({ text, userId, channelId, reply, services }: CommandInvocation, words: readonly string[]): Promise<CommandOutcome> {
  const k8s = services.config.targets.filter((t) => t.kind === 'k8s');
  const rest = [...words];
  let target = rest.length >= 2 ? k8s.find((t) => t.name === rest[0]) : undefined;
  if (target) rest.shift();
  else if (rest.length >= 1 && services.config.targets.some((t) => t.name === rest[0] && t.kind !== 'k8s')) {
    throw new UserError(`${rest[0]} is not a k8s target; diag logs reads the logs of a Kubernetes workload: ${LOGS_USAGE}`);
  } else if (k8s.length === 1) target = k8s[0];
  else if (k8s.length === 0) throw new UserError(`no k8s target is configured (${services.config.source}); diag logs reads the logs of a Kubernetes workload`);
  else throw new UserError(`${k8s.length} k8s targets are configured (${k8s.map((t) => t.name).join(', ')}): name one, ${LOGS_USAGE}`);
  if (rest.length === 0) throw new UserError(`name a workload or pod: ${LOGS_USAGE}, e.g. diag logs ${target!.name} deployment/web 30m`);
  if (rest.length > 2) throw new UserError(`too many words after diag logs: ${words.join(' ')}; expected ${LOGS_USAGE}`);
  const chosen = target!;
  if (chosen.configProblem !== undefined) throw new UserError(`${chosen.name} cannot be run: its configuration has a problem (${chosen.configProblem})`);
  const { diagLogs, parseSince, parseSubject, DEFAULT_SINCE_S } = await import('../src/probes/kubernetes/logs/logs-form.ts');
  const subject = parseSubject(rest[0]!);
  const sinceSeconds = rest[1] === undefined ? DEFAULT_SINCE_S : parseSince(rest[1]);
  const posted = await reply.post(progressMessage('Reading the logs of ', strong(rest[0]!), ' on ', strong(chosen.name), '…'));
  let report;
  try {
    report = await diagLogs(chosen as unknown as KubeTarget, subject, { sinceSeconds, secrets: services.secrets, runbookForCheck: services.runbooks.byCheck });
  } catch (e) {
    // A name not found in the cluster: the "reading" message says so (a terminal prints the error).
    if (!(e instanceof UserError) || reply.source === 'cli') throw e;
    await posted.update(progressMessage(`Cannot read the logs: ${e.message}`));
    return { status: 'unknown' };
  }
  await posted.update(reportMessage(report, { budget: reply.budget, ...reportOptions(services), explain: reply.source !== 'cli' }));
  await audit(services, { actor: userId, channel: channelId, source: reply.source, target: chosen.name, text, outcome: report.status, durationMs: report.durationMs });
  return { status: report.status, data: report };
}

/**
 * The target with the thresholds asked for, and the names of the checks to run (all when none is
 * named). Names are checked against the kind's, naming the accepted ones.
 */
function narrowTarget(target: Target, options: DiagOptions): { target: Target; checks: ReadonlySet<string> | undefined } {
  const probe = findProbe(target.kind);
  if (!probe) throw new UserError(`no probe for kind ${target.kind}`);
  const names = probe.checks.map((c) => c.name);
  const chosen = [...new Set((options.checks ?? []).map((name) => {
    const bare = name.startsWith(`${probe.kind}.`) ? name.slice(probe.kind.length + 1) : name;
    if (!names.includes(bare)) throw new UserError(`"${name}" is not a ${probe.kind} check; accepted: ${names.join(', ')}`);
    return bare;
  }))];
  let thresholds = target.thresholds;
  if (options.thresholds !== undefined) {
    const tunable = probe.checks.filter((c) => c.thresholds).map((c) => c.name);
    if (chosen.length !== 1) {
      throw new UserError(`warning and critical thresholds are given for one check: name exactly one check with thresholds (got ${chosen.length === 0 ? 'none' : chosen.join(', ')}); ${probe.kind} checks with thresholds: ${tunable.join(', ')}`);
    }
    const check = chosen[0]!;
    if (!tunable.includes(check)) throw new UserError(`the ${probe.kind} check ${check} has no thresholds; ${probe.kind} checks with thresholds: ${tunable.join(', ')}`);
    const current = resolveThresholds(probe, target.thresholds)[check]!;
    const asked = { warn: options.thresholds.warn ?? current.warn, crit: options.thresholds.crit ?? current.crit };
    refuseReversed(probe.kind, check, probe.checks.find((c) => c.name === check)!.thresholds!, asked, options.thresholds);
    thresholds = { ...target.thresholds, [check]: asked };
  }
  return { target: { ...target, thresholds }, checks: chosen.length === 0 ? undefined : new Set(chosen) };
}

/**
 * A check's direction is its defaults' (warn above crit: lower is worse): warning and critical
 * thresholds given the other way round would judge the check backwards, so they are refused.
 */
function refuseReversed(kind: string, check: string, defaults: DefaultThresholds, asked: Thresholds, given: NonNullable<DiagOptions['thresholds']>): void {
  if (!thresholdsReversed(defaults, asked)) return;
  const lower = lowerIsWorse(defaults);
  const pair = `warning ${asked.warn}${given.warn === undefined ? ' (its current)' : ''}, critical ${asked.crit}${given.crit === undefined ? ' (its current)' : ''}`;
  const rule = lower ? 'the critical threshold must be at most the warning one' : 'the critical threshold must be at least the warning one';
  throw new UserError(`the ${kind} check ${check} is worse when ${lower ? 'lower' : 'higher'} (defaults: warning ${defaults.warn}, critical ${defaults.crit}, in ${defaults.unit}): ${rule}, got ${pair}`);
}

/** Full reports posted under a `/diag all` summary; the summary line names the rest. */
export const MAX_DETAIL_REPLIES = 10;
/** Progress updates of the "running" message at most this often. */
const PROGRESS_EVERY_MS = 2_000;

async function diagAll({ text, userId, channelId, reply, services }: CommandInvocation): Promise<CommandOutcome> {
  const targets = services.config.targets;
  if (targets.length === 0) throw new UserError(`no targets are configured (${services.config.source}); add some under targets:`);
  const posted = await reply.post(progressMessage(`Running diagnostics on ${plural(targets.length, 'target')}…`));
  let lastProgress = Date.now();
  // The last progress update must land before the summary, or it would replace it.
  let progressSent: Promise<void> = Promise.resolve();
  const set = await runAllProbes(targets, {
    log: services.log,
    runbookForCheck: services.runbooks.byCheck,
    state: services.probeState,
    secrets: services.secrets,
    targets,
    onProgress: (done, total) => {
      if (done === total || Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = Date.now();
      const text = `Running diagnostics on ${plural(total, 'target')}… ${done}/${total} done`;
      // Chained, so updates land in order.
      progressSent = progressSent
        .then(() => posted.update(progressMessage(text)))
        .catch((err: unknown) => services.log.warn({ err }, 'while updating /diag all progress'));
    },
  });
  await progressSent;
  if (reply.source === 'cli') {
    // A terminal has no threads: every report that needs attention follows the summary.
    await posted.update(summaryMessage(set, { budget: reply.budget, details: 'inline', reportOptions: reportOptions(services) }));
  } else {
    await posted.update(summaryMessage(set, { budget: reply.budget, details: 'thread' }));
    for (const report of set.reports.filter((r) => r.status !== 'ok' && !isConfigProblem(r)).slice(0, MAX_DETAIL_REPLIES)) {
      await posted
        .reply(reportMessage(report, { budget: reply.budget, ...reportOptions(services), explain: true }))
        .catch((err: unknown) => services.log.warn({ err, target: report.target }, 'while posting a /diag all detail reply'));
    }
  }
  await audit(services, { actor: userId, channel: channelId, source: reply.source, target: 'all', text, outcome: set.status, durationMs: set.durationMs });
  return { status: set.status, data: set };
}

async function audit(services: AppServices, row: { actor: string; channel: string; source: CommandSource; target: string; text: string; outcome: string; durationMs: number }) {
  // A terminal has no channel.
  await services.audit
    .record({ actor: row.actor, ...(row.source !== 'cli' && { channel: row.channel }), source: row.source, action: 'diag', target: row.target, params: { text: row.text }, outcome: row.outcome, durationMs: row.durationMs })
    .catch((err: unknown) => services.log.error({ err, target: row.target }, 'while writing the audit row of /diag'));
}

/** How to call /diag, the configured targets (as many sections as they need) and the kinds. */
export function diagHelp(services: Pick<AppServices, 'config'>, budget: Budget): Message {
  const usage = spans(
    strong('Usage:'), ' ', command('diag', '<target>'), ', ', command('diag', '<kind>'), ' or ', command('diag', 'all'),
    ...SCOPED.flatMap((p) => [`; ${p.kind}: `, command('diag', `${p.kind} [target] [${p.scopeWord}]`)]),
    '; error patterns in a workload\'s logs: ', command('diag', 'logs [target] <workload|pod> [since]'),
    '; what an error code or message means: ', command('diag', 'explain <error code or message>'),
  );
  const { targets, source } = services.config;
  const configured = targets.length === 0
    ? [section(line(strong('Configured targets:')), line(em(`none yet: add targets to ${source}`)))]
    : fitList(spans(strong('Configured targets:')), targets.map((t): Line => spans(code(t.name), ` (${t.kind})`)), budget, (n) => `${n} more targets not shown: see ${source}`);
  const kinds: Line[] = PROBES.map((p) => {
    const aliases = p.aliases.flatMap((a, i) => (i === 0 ? [code(a)] : [', ', code(a)]));
    return spans(code(p.kind), ...(aliases.length ? [' (also: ', ...aliases, ')'] : []), `: ${p.description}`);
  });
  return {
    notification: usage,
    blocks: [section({ type: 'line', spans: usage }), ...configured, section(line(strong('Kinds:')), { type: 'list', items: kinds })],
  };
}

/** Runbook links, the Declare incident button where incidents are set up, and the secrets to mask. */
function reportOptions(services: AppServices): Omit<ReportMessageOptions, 'budget'> {
  return { runbookUrl: runbookUrlFor(services), declareIncident: services.incidents !== undefined, secrets: services.secrets };
}

function runbookUrlFor(services: AppServices): (id: string) => string | undefined {
  const base = services.config.runbooks.baseUrl;
  return (id) => (base && services.runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined);
}

