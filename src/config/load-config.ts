// Reads chatops.yml, interpolates ${VAR}s and validates every key, failing with a message that
// names the key, the bad value and what is accepted.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { isTimeZone } from './is-time-zone.ts';
import { findProbe, kindNames } from '../probes/probe-registry.ts';
import { ACTIONS } from '../actions/action-catalogue.ts';
import { INCIDENT_ACCESS_IDS } from '../incidents/incident-access.ts';
import { resolveThresholds } from '../probes/probe-definition.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { ConfigError } from './config-error.ts';
import { interpolateEnv } from './interpolate-env.ts';
import { incidentsSchema, oncallSchema, toIncidentsConfig, toRotations } from './incidents-schema.ts';
import { DEFAULT_TIMEOUT_MS, type Config, type Target } from './config.ts';

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
const SECRET_KEY = /url|password|token|secret|key/i;

const digestSchema = z.strictObject({
  cron: z.string().refine((v) => validCron(v), { error: 'not a valid cron expression (e.g. "0 8 * * 1-5": minute hour day month weekday)' }),
  timezone: z.string().refine(isTimeZone, { error: 'not an IANA time zone (e.g. "Europe/Berlin", "UTC")' }).default('UTC'),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD (channel details -> bottom of the About tab)'),
  targets: z.union([z.literal('all'), z.array(z.string()).min(1)]).default('all'),
  onlyWhenNotOk: z.boolean().default(false),
  mentionOnCrit: z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like S0123ABCD').optional(),
});

const fileSchema = z.strictObject({
  targets: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  digests: z.record(z.string(), digestSchema).default({}),
  access: z
    .record(
      z.string(),
      z.strictObject({
        users: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABCD')).default([]),
        groups: z.array(z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like S0123ABCD')).default([]),
        channels: z.array(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD')).default([]),
      }),
    )
    .default({}),
  incidents: incidentsSchema.optional(),
  oncall: oncallSchema.default({ rotations: {} }),
  history: z.strictObject({ retentionDays: z.number().int().min(1).max(3650).default(30) }).default({ retentionDays: 30 }),
  runbooks: z
    .strictObject({
      dir: z.string().min(1).optional(),
      baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .default({}),
});

const sharedTargetSchema = z.object({
  kind: z.string(),
  timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_TIMEOUT_MS),
  thresholds: z
    .record(z.string(), z.strictObject({ warn: z.number().optional(), crit: z.number().optional() }))
    .default({}),
});

export interface LoadConfigOptions {
  /** Explicit path (CHATOPS_CONFIG or --config); a missing explicit file is an error. */
  file?: string;
  /** Used when no explicit file is given; may be absent. */
  defaultFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file ? path.resolve(cwd, options.file) : undefined;
  const fallback = path.resolve(cwd, options.defaultFile ?? 'chatops.yml');
  const source = file ?? (existsSync(fallback) ? fallback : undefined);
  if (file && !existsSync(file)) {
    throw new ConfigError(`config file ${file} does not exist (from CHATOPS_CONFIG or --config); copy chatops.example.yml to start one`);
  }
  if (!source) return parseConfig({}, '(no config file)', env, cwd);
  const text = readFileSync(source, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${source}: not valid YAML: ${doc.errors[0]!.message}`);
  }
  return parseConfig(doc.toJS() ?? {}, source, env, path.dirname(source));
}

/** Validates an already parsed config object; exported for tests and for configs built in code. */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Config {
  const fail = (message: string): never => {
    throw new ConfigError(`${source}: ${message}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('the file must be a mapping with keys: targets, digests, access, incidents, oncall, history, runbooks');
  let interpolated: unknown;
  try {
    interpolated = interpolateEnv(raw, env);
  } catch (e) {
    fail((e as Error).message);
  }
  const parsed = fileSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) fail(describeIssue([], parsed.error.issues[0]!, ['targets', 'digests', 'access', 'incidents', 'oncall', 'history', 'runbooks']));
  const data = parsed.data!;

  const targets: Target[] = [];
  for (const [name, rawTarget] of Object.entries(data.targets)) {
    if (!TARGET_NAME.test(name)) {
      fail(`targets.${name}: a target name must be lowercase letters, digits, - or _ (at most 40, starting with a letter or digit)`);
    }
    if (RESERVED_NAMES.includes(name)) fail(`targets.${name}: "${name}" is a /diag word, not a target name; choose another name`);
    targets.push(parseTarget(name, rawTarget, fail));
  }
  const names = targets.map((t) => t.name);
  const digests = Object.entries(data.digests).map(([name, d]) => {
    if (!TARGET_NAME.test(name)) fail(`digests.${name}: a digest name must be lowercase letters, digits, - or _`);
    if (d.targets !== 'all') {
      for (const t of d.targets) if (!names.includes(t)) fail(`digests.${name}.targets: no target named "${t}"; configured: ${names.join(', ') || 'none'}`);
    }
    const { mentionOnCrit, ...rest } = d;
    return { name, ...rest, ...(mentionOnCrit && { mentionOnCrit }) };
  });
  const access = Object.entries(data.access).map(([pattern, rule]) => {
    const known = [...ACTIONS.map((a) => a.id), ...INCIDENT_ACCESS_IDS];
    const matches = pattern === 'audit' || pattern === 'oncall.override' || (pattern.endsWith('.*') ? known.some((id) => id.startsWith(pattern.slice(0, -1))) : known.includes(pattern));
    if (!matches) fail(`access.${pattern}: matches no action; accepted: audit, oncall.override, ${known.join(', ')}, or a prefix such as postgres.* or incident.*`);
    return { pattern, ...rule };
  });
  return {
    source,
    targets,
    digests,
    access,
    ...(data.incidents && { incidents: toIncidentsConfig(data.incidents, access) }),
    oncall: { rotations: toRotations(data.oncall) },
    history: data.history,
    runbooks: { dir: path.resolve(baseDir, data.runbooks.dir ?? defaultRunbookDir()), baseUrl: data.runbooks.baseUrl },
  };
}

function parseTarget(name: string, raw: Record<string, unknown>, fail: (m: string) => never): Target {
  const at = ['targets', name];
  const kindWord = raw.kind;
  if (typeof kindWord !== 'string') {
    fail(`${at.join('.')}.kind: missing or not a string (got ${show('kind', kindWord)}); accepted kinds: ${kindNames().join(', ')}`);
  }
  const probe = findProbe(kindWord as string);
  // A kind's aliases are accepted (`kind: kubernetes` for k8s) and stored as the kind itself.
  if (!probe) {
    fail(`${at.join('.')}.kind: unknown kind ${JSON.stringify(kindWord)}; accepted kinds: ${kindNames().join(', ')}`);
  }
  const p = probe!;
  const shared = sharedTargetSchema.safeParse(raw, { reportInput: true });
  if (!shared.success) fail(describeIssue(at, shared.error.issues[0]!));
  const { timeoutMs, thresholds } = shared.data!;

  const tunable = p.checks.filter((c) => c.thresholds).map((c) => c.name);
  for (const check of Object.keys(thresholds)) {
    if (!tunable.includes(check)) {
      fail(`${at.join('.')}.thresholds.${check}: no such check with thresholds for kind ${p.kind}; accepted: ${tunable.join(', ')}`);
    }
  }

  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !(SHARED_TARGET_KEYS as readonly string[]).includes(k)));
  const ownSchema = p.targetSchema instanceof z.ZodObject ? p.targetSchema.strict() : p.targetSchema;
  const ownParsed = ownSchema.safeParse(own, { reportInput: true });
  if (!ownParsed.success) {
    const accepted = [...SHARED_TARGET_KEYS, ...(p.targetSchema instanceof z.ZodObject ? Object.keys(p.targetSchema.shape) : [])];
    fail(describeIssue(at, ownParsed.error.issues[0]!, accepted));
  }
  return {
    ...(ownParsed.data as Record<string, unknown>),
    name,
    kind: p.kind,
    timeoutMs,
    thresholds: resolveThresholds(p, thresholds),
  };
}

/** One zod issue as "key.path: what is wrong (got value); accepted: ...". */
function describeIssue(prefix: string[], issue: z.core.$ZodIssue, acceptedKeys?: readonly string[]): string {
  const keyPath = [...prefix, ...issue.path.map(String)];
  const key = keyPath.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = keyPath.length ? `${key}: ` : '';
    return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` +
      (acceptedKeys ? `; accepted keys: ${acceptedKeys.join(', ')}` : '');
  }
  const last = String(keyPath[keyPath.length - 1] ?? '');
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${show(last, issue.input)})` : '';
  const accepted = issue.code === 'invalid_value' ? `; accepted: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return `${key}: ${issue.message}${got}${accepted}`;
}

function show(key: string, value: unknown): string {
  if (SECRET_KEY.test(key) && typeof value === 'string') return '[hidden]';
  // Masked whole, then cut: a cut never leaves part of a secret.
  const text = redactSecrets(JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}


function defaultRunbookDir(): string {
  // runbooks/ of this project, wherever the process was started from.
  return path.resolve(import.meta.dirname, '../../runbooks');
}
