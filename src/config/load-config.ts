// Reads chatops.yml, interpolates ${VAR}s and validates every key, collecting every problem with
// the key, the bad value and what is accepted; a target whose problems are all its own is kept
// (with configProblem) so that the rest of the configuration still runs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { isTimeZone } from './is-time-zone.ts';
import { findProbe, kindNames } from '../probes/probe-registry.ts';
import { ACTIONS } from '../actions/action-catalogue.ts';
import { INCIDENT_ACCESS_IDS } from '../incidents/incident-access.ts';
import { SILENCE_ACCESS_ID } from '../alerts/silence-target.ts';
import { lowerIsWorse, resolveThresholds, thresholdsReversed } from '../probes/probe-definition.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { showValue } from './show-value.ts';
import { ConfigError } from './config-error.ts';
import { workloadRefProblems } from './workload-ref-problems.ts';
import { interpolateEnv, type UnsetVariable } from './interpolate-env.ts';
import { incidentsSchema, oncallSchema, toIncidentsConfig, toRotations } from './incidents-schema.ts';
import { parseAlertsSection } from './alerts-schema.ts';
import { parseHeartbeatsSection } from './heartbeats-schema.ts';
import { DEFAULT_NARRATOR_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, MAX_NARRATOR_TIMEOUT_MS, type AccessRule, type Config, type ConfigProblem, type DigestConfig, type Target, type TriageConfig } from './config.ts';

// node-cron, loaded when a digest's schedule is first checked: a config without digests (the CLI's
// `diag db`) never pays for it. Its CommonJS build, so the check stays synchronous.
const requireModule = createRequire(import.meta.url);
let cron: { validate(expression: string): boolean } | undefined;
function validCron(expression: string): boolean {
  cron ??= requireModule('node-cron') as { validate(expression: string): boolean };
  return cron.validate(expression);
}

const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/** Words `/diag` gives a meaning of its own. */
const RESERVED_NAMES = ['all', 'help'];
const SHARED_TARGET_KEYS = ['kind', 'timeoutMs', 'thresholds'] as const;
/** Keys whose values may be secrets: never echo them back in an error. */
/** Keys (anywhere in a value's path) whose values are never shown in a problem. */
const SECRET_KEY = /url|password|passw|token|secret|key|auth|cookie|credential|header|cert|dsn/i;

const digestSchema = z.strictObject({
  cron: z.string().refine((v) => validCron(v), { error: 'not a valid cron expression (e.g. "0 8 * * 1-5": minute hour day month weekday)' }),
  timezone: z.string().refine(isTimeZone, { error: 'not an IANA time zone (e.g. "Europe/Berlin", "UTC")' }).default('UTC'),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD (channel details -> bottom of the About tab)'),
  targets: z.union([z.literal('all'), z.array(z.string()).min(1)]).default('all'),
  onlyWhenNotOk: z.boolean().default(false),
  mentionOnCrit: z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like S0123ABCD').optional(),
});

const accessRuleSchema = z.strictObject({
  users: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABCD')).default([]),
  groups: z.array(z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like S0123ABCD')).default([]),
  channels: z.array(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD')).default([]),
});

const historySchema = z.strictObject({ retentionDays: z.number().int().min(1).max(3650).default(30) }).default({ retentionDays: 30 });

/** A mapping's unknown keys named with the keys it accepts (its own, not its section's). */
const namingKeys = (keys: readonly string[]) => ({
  error: (issue: z.core.$ZodRawIssue) => (issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; accepted keys: ${keys.join(', ')}` : undefined),
});

const runbooksSchema = z
  .strictObject({
    dir: z.string().min(1).optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  }, namingKeys(['dir', 'baseUrl']))
  .default({});

const triageSchema = z
  .strictObject({
    model: z
      .strictObject({
        target: z.string().min(1).optional(),
        url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL of an OpenAI-compatible API' }).optional(),
        apiKey: z.string().min(1).regex(/^[^\r\n]*$/, 'a key is one line').optional(),
        model: z.string().min(1).optional(),
        timeoutMs: z.number().int().min(500).max(MAX_NARRATOR_TIMEOUT_MS).default(DEFAULT_NARRATOR_TIMEOUT_MS),
      }, namingKeys(['target', 'url', 'apiKey', 'model', 'timeoutMs']))
      .optional(),
  }, namingKeys(['model']))
  .default({});

const sharedTargetSchema = z.object({
  kind: z.string(),
  timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_TIMEOUT_MS),
  thresholds: z
    .record(z.string(), z.strictObject({ warn: z.number().optional(), crit: z.number().optional() }))
    .default({}),
});

/**
 * What to do with the problems found. `strict`: any problem throws, naming every one (configs
 * built in code). `start` (the bot): a problem that is not a target's own throws, naming every
 * one; a target whose problems are all its own is kept with `configProblem`. `collect`: nothing
 * found in a readable file throws; `problems` lists it all (the terminal, `chatops config check`).
 * A file that cannot be read (missing, not YAML, not a mapping) throws in every mode.
 */
export type ConfigMode = 'strict' | 'start' | 'collect';

export interface LoadConfigOptions {
  /** Explicit path (CHATOPS_CONFIG or --config); a missing explicit file is an error. */
  file?: string | undefined;
  /** Used when no explicit file is given; may be absent. */
  defaultFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default `start`. */
  mode?: ConfigMode;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const mode = options.mode ?? 'start';
  const file = options.file ? path.resolve(cwd, options.file) : undefined;
  const fallback = path.resolve(cwd, options.defaultFile ?? 'chatops.yml');
  const source = file ?? (existsSync(fallback) ? fallback : undefined);
  if (file && !existsSync(file)) {
    throw new ConfigError(`config file ${file} does not exist (from CHATOPS_CONFIG or --config); copy chatops.example.yml to start one`);
  }
  if (!source) return parseConfig({}, '(no config file)', env, cwd, mode);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    throw new ConfigError(`${source}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Where and what, never the quoted lines around it: they may hold a secret written in the file.
    const problems = doc.errors.map((e) => ({ path: '', message: `not valid YAML: ${yamlErrorWords(e)}` }));
    throw ConfigError.of(source, problems);
  }
  return parseConfig(doc.toJS() ?? {}, source, env, path.dirname(source), mode);
}

const SECTIONS = ['targets', 'digests', 'access', 'incidents', 'oncall', 'history', 'runbooks', 'triage', 'alerts', 'heartbeats'] as const;

/**
 * Validates an already parsed config object; exported for tests and for configs built in code.
 * Every problem is found, not only the first (see ConfigMode for which ones throw).
 */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd(), mode: ConfigMode = 'strict'): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${source}: the file must be a mapping with keys: ${SECTIONS.join(', ')}`);
  }
  const problems: ConfigProblem[] = [];
  const unset: UnsetVariable[] = [];
  const interpolated = interpolateEnv(raw, env, [], unset) as Record<string, unknown>;
  /** Where a variable is not set: that problem is said once, not again as a bad value. */
  const unsetAt = unset.map((u) => u.path.join('.'));
  const underUnset = (keyPath: string) => unsetAt.some((p) => keyPath === p || keyPath.startsWith(`${p}.`));
  const add = (keyPath: string, message: string) => {
    if (!underUnset(keyPath)) problems.push({ path: keyPath, message });
  };
  const addIssues = (prefix: string[], issues: readonly z.core.$ZodIssue[], acceptedKeys?: readonly string[]) => {
    for (const issue of issues) {
      const [keyPath, message] = describeIssue(prefix, issue, acceptedKeys);
      add(keyPath, message);
    }
  };
  const unknownSections = Object.keys(interpolated).filter((k) => !(SECTIONS as readonly string[]).includes(k));
  if (unknownSections.length > 0) {
    problems.push({ path: '', message: `unknown key${unknownSections.length > 1 ? 's' : ''} ${unknownSections.join(', ')}; accepted keys: ${SECTIONS.join(', ')}` });
  }
  /** One section parsed on its own: a bad one is left at its default, the others still read. */
  const section = <S extends z.ZodType>(key: (typeof SECTIONS)[number], schema: S): z.output<S> | undefined => {
    const parsed = schema.safeParse(interpolated[key], { reportInput: true });
    if (parsed.success) return parsed.data;
    addIssues([key], parsed.error.issues);
    return undefined;
  };

  const targets: Target[] = [];
  for (const [name, rawTarget] of Object.entries(mapping(interpolated.targets, 'targets', add))) {
    const own: ConfigProblem[] = [];
    const target = parseTarget(name, rawTarget, unset, (keyPath, message) => {
      if (!underUnset(keyPath)) own.push({ path: keyPath, message });
    });
    // Interpolation problems of its keys are its own too.
    for (const u of unset) if (u.path[0] === 'targets' && u.path[1] === name) own.push({ path: u.path.join('.'), message: u.message });
    own.sort((a, b) => keyOrder(rawTarget, a.path) - keyOrder(rawTarget, b.path));
    if (target && own.length > 0) {
      targets.push({ ...target, configProblem: own.map(ConfigError.line).join('; ') });
      problems.push(...own.map((p) => ({ ...p, target: name })));
    } else if (target) {
      targets.push(target);
    } else {
      problems.push(...own);
    }
  }
  const names = targets.map((t) => t.name);
  for (const problem of workloadRefProblems(targets)) add(problem.path, problem.message);

  const digests: DigestConfig[] = [];
  for (const [name, rawDigest] of Object.entries(mapping(interpolated.digests, 'digests', add))) {
    const at = `digests.${name}`;
    const before = problems.length;
    if (!TARGET_NAME.test(name)) add(at, 'a digest name must be lowercase letters, digits, - or _');
    const parsed = digestSchema.safeParse(rawDigest, { reportInput: true });
    if (!parsed.success) addIssues(['digests', name], parsed.error.issues);
    const named = parsed.success ? parsed.data.targets : rawDigest.targets;
    if (Array.isArray(named)) {
      for (const t of named) if (typeof t === 'string' && !names.includes(t)) add(`${at}.targets`, `no target named "${t}"; configured: ${names.join(', ') || 'none'}`);
    }
    if (problems.length > before || !parsed.success || unsetAt.some((p) => p.startsWith(`${at}.`))) {
      // Its unset variables, said once each, after its other problems.
      for (const u of unset) if (u.path.join('.').startsWith(`${at}.`)) problems.push({ path: u.path.join('.'), message: u.message });
      continue;
    }
    const { mentionOnCrit, ...rest } = parsed.data;
    digests.push({ name, ...rest, ...(mentionOnCrit && { mentionOnCrit }) });
  }

  const access: AccessRule[] = [];
  const known = [SILENCE_ACCESS_ID, ...ACTIONS.map((a) => a.id), ...INCIDENT_ACCESS_IDS];
  for (const [pattern, rawRule] of Object.entries(mapping(interpolated.access, 'access', add))) {
    const matches = pattern === 'audit' || pattern === 'oncall.override' || (pattern.endsWith('.*') ? known.some((id) => id.startsWith(pattern.slice(0, -1))) : known.includes(pattern));
    if (!matches) add(`access.${pattern}`, `matches no action; accepted: audit, oncall.override, ${known.join(', ')}, or a prefix such as postgres.* or incident.*`);
    const parsed = accessRuleSchema.safeParse(rawRule, { reportInput: true });
    if (!parsed.success) addIssues(['access', pattern], parsed.error.issues);
    if (matches && parsed.success) access.push({ pattern, ...parsed.data });
  }

  const incidents = section('incidents', incidentsSchema.optional());
  const oncall = section('oncall', oncallSchema.default({ rotations: {} })) ?? { rotations: {} };
  const history = section('history', historySchema) ?? { retentionDays: 30 };
  const runbooks = section('runbooks', runbooksSchema) ?? {};
  // A model whose key or address is a variable not set is not used: the variable's problem says why.
  const triage = triageConfig(section('triage', triageSchema), targets, add);
  if (triage && unsetAt.some((p) => p.startsWith('triage.'))) delete triage.model;
  const alerts = parseAlertsSection(interpolated.alerts, names, add, interpolated.incidents !== undefined && interpolated.incidents !== null);
  const heartbeats = parseHeartbeatsSection(interpolated.heartbeats, add, interpolated.incidents !== undefined && interpolated.incidents !== null);
  // Every unset variable outside the targets and digests (said above) is a problem of its own.
  for (const u of unset) {
    if (u.path[0] !== 'targets' && u.path[0] !== 'digests') problems.push({ path: u.path.join('.'), message: u.message });
  }
  problems.sort((a, b) => sectionOrder(a.path) - sectionOrder(b.path));

  const stopping = mode === 'strict' ? problems : mode === 'start' ? problems.filter((p) => p.target === undefined) : [];
  if (stopping.length > 0) throw ConfigError.of(source, problems);
  return {
    source,
    problems,
    targets,
    digests,
    access,
    ...(incidents && { incidents: toIncidentsConfig(incidents, access) }),
    oncall: { rotations: toRotations(oncall) },
    history,
    runbooks: { dir: path.resolve(baseDir, runbooks.dir ?? defaultRunbookDir()), baseUrl: runbooks.baseUrl },
    ...(triage && { triage }),
    ...(alerts && { alerts }),
    ...(heartbeats && { heartbeats }),
  };
}

/**
 * triage.model as the narrator uses it: an openai target of this file (its model, or the one given
 * here), or an endpoint of its own with its key and model; either, never both. Undefined (with
 * the problems told to `add`) when it names no usable target or lacks what its form needs.
 */
function triageConfig(parsed: z.output<typeof triageSchema> | undefined, targets: readonly Target[], add: (keyPath: string, message: string) => void): TriageConfig | undefined {
  const m = parsed?.model;
  if (!m) return undefined;
  const at = 'triage.model';
  const openai = targets.filter((t) => t.kind === 'openai').map((t) => t.name);
  const accepted = `openai targets: ${openai.join(', ') || 'none configured'}`;
  let found = 0;
  const problem = (keyPath: string, message: string) => {
    found++;
    add(keyPath, message);
  };
  if (m.target !== undefined) {
    if (m.url !== undefined || m.apiKey !== undefined) {
      problem(at, `give either target (an openai target of this file, whose url and key are used) or url, apiKey and model; not both (got target and ${[m.url !== undefined && 'url', m.apiKey !== undefined && 'apiKey'].filter(Boolean).join(' and ')})`);
    }
    const named = targets.find((t) => t.name === m.target);
    if (!named) problem(`${at}.target`, `no target named "${m.target}"; ${accepted}`);
    else if (named.kind !== 'openai') problem(`${at}.target`, `"${m.target}" is a ${named.kind} target, not an openai one; ${accepted}`);
    else if (m.model === undefined && typeof named.model !== 'string' && named.configProblem === undefined) {
      problem(`${at}.model`, `the openai target "${m.target}" names no model: set model here (gpt-4o-mini) or on the target`);
    }
    if (found > 0) return undefined;
    return { model: { target: m.target, timeoutMs: m.timeoutMs, ...(m.model !== undefined && { model: m.model }) } };
  }
  if (m.url === undefined) {
    problem(at, `name the model's endpoint: target (an openai target of this file) or url, apiKey and model of an OpenAI-compatible API; ${accepted}`);
    return undefined;
  }
  if (m.apiKey === undefined) problem(`${at}.apiKey`, "required with url: the endpoint's API key (use ${VARIABLE}); or name an openai target instead");
  if (m.model === undefined) problem(`${at}.model`, 'required with url: the model to ask (gpt-4o-mini, llama3.1:8b)');
  if (found > 0 || m.apiKey === undefined || m.model === undefined) return undefined;
  return { model: { url: m.url, apiKey: m.apiKey, model: m.model, timeoutMs: m.timeoutMs } };
}

/** A section that must be a mapping of names (targets, digests, access); anything else is a problem and reads as empty. */
function mapping(value: unknown, key: string, add: (keyPath: string, message: string) => void): Record<string, Record<string, unknown>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(key, `must be a mapping of names to their settings (got ${show([key], value)})`);
    return {};
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) add(`${key}.${name}`, `must be a mapping of settings (got ${show([key, name], v)})`);
    else out[name] = v as Record<string, unknown>;
  }
  return out;
}

/** Problems in the order of the file's sections. */
function sectionOrder(keyPath: string): number {
  const i = (SECTIONS as readonly string[]).indexOf(keyPath.split('.')[0]!);
  return i === -1 ? -1 : i;
}

/** A target's problems in the order of its keys. */
function keyOrder(raw: Record<string, unknown>, keyPath: string): number {
  const key = keyPath.split('.')[2];
  const i = key === undefined ? -1 : Object.keys(raw).indexOf(key);
  return i === -1 ? Number.MAX_SAFE_INTEGER : i;
}

/**
 * One target: undefined when it cannot be kept at all (a bad name, no usable kind); otherwise the
 * target, with the problems of its own keys told to `add` (the caller keeps it with configProblem).
 */
function parseTarget(name: string, raw: Record<string, unknown>, unset: readonly UnsetVariable[], add: (keyPath: string, message: string) => void): Target | undefined {
  const at = `targets.${name}`;
  if (!TARGET_NAME.test(name)) {
    add(at, 'a target name must be lowercase letters, digits, - or _ (at most 40, starting with a letter or digit)');
    return undefined;
  }
  if (RESERVED_NAMES.includes(name)) {
    add(at, `"${name}" is a /diag word, not a target name; choose another name`);
    return undefined;
  }
  const kindWord = raw.kind;
  if (unset.some((u) => u.path.join('.') === `${at}.kind`)) return undefined;
  if (typeof kindWord !== 'string') {
    add(`${at}.kind`, `missing or not a string (got ${show(['kind'], kindWord)}); accepted kinds: ${kindNames().join(', ')}`);
    return undefined;
  }
  // A kind's aliases are accepted (`kind: kubernetes` for k8s) and stored as the kind itself.
  const p = findProbe(kindWord);
  if (!p) {
    add(`${at}.kind`, `unknown kind ${JSON.stringify(kindWord)}; accepted kinds: ${kindNames().join(', ')}`);
    return undefined;
  }
  const issues = (prefix: string[], list: readonly z.core.$ZodIssue[], accepted?: readonly string[]) => {
    for (const issue of list) add(...describeIssue(prefix, issue, accepted));
  };
  const shared = sharedTargetSchema.safeParse(raw, { reportInput: true });
  if (!shared.success) issues(['targets', name], shared.error.issues);
  const timeoutMs = shared.success ? shared.data.timeoutMs : DEFAULT_TIMEOUT_MS;
  const overrides = shared.success ? shared.data.thresholds : {};

  const tunable = p.checks.filter((c) => c.thresholds).map((c) => c.name);
  for (const check of Object.keys(overrides)) {
    if (!tunable.includes(check)) {
      add(`${at}.thresholds.${check}`, `no such check with thresholds for kind ${p.kind}; accepted: ${tunable.join(', ')}`);
    }
  }
  const validOverrides = Object.fromEntries(Object.entries(overrides).filter(([check]) => tunable.includes(check)));
  // warn and crit in the check's own direction: more is worse (connections), or less is (cache hit).
  for (const [check, merged] of Object.entries(resolveThresholds(p, validOverrides))) {
    const defaults = p.checks.find((c) => c.name === check)!.thresholds!;
    if (thresholdsReversed(defaults, merged)) {
      const less = lowerIsWorse(defaults);
      add(`${at}.thresholds.${check}`,
        `warn ${merged.warn} and crit ${merged.crit} are the wrong way round: for ${check} ${less ? 'less' : 'more'} is worse, so warn must be ${less ? 'at or above' : 'at or below'} crit (defaults: warn ${defaults.warn}, crit ${defaults.crit} ${defaults.unit})`);
    }
  }

  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !(SHARED_TARGET_KEYS as readonly string[]).includes(k)));
  const ownSchema = p.targetSchema instanceof z.ZodObject ? p.targetSchema.strict() : p.targetSchema;
  const ownParsed = ownSchema.safeParse(own, { reportInput: true });
  if (!ownParsed.success) {
    const accepted = [...SHARED_TARGET_KEYS, ...(p.targetSchema instanceof z.ZodObject ? Object.keys(p.targetSchema.shape) : [])];
    issues(['targets', name], ownParsed.error.issues, accepted);
  }
  return {
    ...(ownParsed.success ? (ownParsed.data as Record<string, unknown>) : {}),
    name,
    kind: p.kind,
    timeoutMs,
    thresholds: resolveThresholds(p, validOverrides),
  };
}

/** One zod issue as ["key.path", "what is wrong (got value); accepted: ..."]. */
function describeIssue(prefix: string[], issue: z.core.$ZodIssue, acceptedKeys?: readonly string[]): [string, string] {
  const keyPath = [...prefix, ...issue.path.map(String)];
  const key = keyPath.join('.');
  if (issue.code === 'unrecognized_keys') {
    // A nested mapping names its own keys in its message; the section's keys are not its keys.
    if (issue.message.includes('accepted keys: ')) return [key, issue.message];
    return [key, `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` + (acceptedKeys && issue.path.length === 0 ? `; accepted keys: ${acceptedKeys.join(', ')}` : '')];
  }
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${show(keyPath.map(String), issue.input)})` : '';
  const accepted = issue.code === 'invalid_value' ? `; accepted: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return [key || '(top level)', `${issue.message}${got}${accepted}`];
}

/**
 * A bad value in words for a problem message. A mapping or a list is described, never printed (it
 * may hold a URL, a token, a header); a string under a secret-like key anywhere on its path is hidden.
 */
function show(keyPath: readonly string[], value: unknown): string {
  if (typeof value === 'string' && keyPath.some((k) => SECRET_KEY.test(k))) return '[hidden]';
  return showValue(value);
}


/** A YAML parse error as its reason and position, without the quoted source lines. */
function yamlErrorWords(e: { message: string; linePos?: readonly { line: number; col: number }[] }): string {
  const reason = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
  const at = e.linePos?.[0];
  return redactSecrets(at ? `${reason} (line ${at.line}, column ${at.col})` : reason);
}

function defaultRunbookDir(): string {
  // runbooks/ of this project, wherever the process was started from.
  return path.resolve(import.meta.dirname, '../../runbooks');
}
