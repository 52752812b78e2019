// Every secret the bot was configured with, so that anything it posts, logs, prints or stores can
// be masked with maskSecrets: passwords of connection URLs (raw and decoded) and their secret
// query values, tokens, passwords and API keys under any key of a target, what the target's kind
// says are its secrets (header values, a kubeconfig's credentials: KindDefinition's `secrets` and
// `externalSecrets`), and from the environment the Slack tokens, the signing secret, the state
// store's password and any variable named like a secret. Compute it once when the config is
// loaded: a kind may read files (a kubeconfig).
import type { Config, Target } from '../config/config.ts';
import { findProbe } from '../probes/probe-registry.ts';
import { urlSecrets } from '../probes/scrub-findings.ts';
import { MIN_SECRET_CHARS } from './mask-secrets.ts';

/** Keys whose string values are secrets wherever they appear in a target. */
const SECRET_KEY = /token|password|passwd|secret|api[-_]?key|apikey|credential|private[-_]?key/i;
/** Keys whose string values are URLs that may carry a password or a secret query value. */
const URL_KEY = /url|server|dsn|endpoint/i;
/** Environment variables named like secrets (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, PGPASSWORD, ...). */
const SECRET_ENV = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY|CREDENTIAL/i;
/** Environment variables that hold a URL whose password is a secret. */
const URL_ENV = /(^|_)(URL|DSN)$/;
/** Values that are switches or numbers, not secrets, whatever the variable is called (DISABLE_TOKEN_CHECK=true). */
const NOT_SECRET = /^(?:true|false|yes|no|on|off|none|null|\d+)$/i;

/**
 * The configured secrets of every target, and those of `env` when given, longest first. Pass the
 * result as is (the same array every time) to maskSecrets.
 */
export function configSecrets(config: Pick<Config, 'targets'> & Partial<Pick<Config, 'triage'>>, env: NodeJS.ProcessEnv = {}): string[] {
  const found = new Set<string>();
  for (const target of config.targets) for (const s of targetConfigSecrets(target)) found.add(s);
  // The narrating model's key, whatever the variable it came from is called.
  const model = config.triage?.model;
  if (model && 'apiKey' in model && model.apiKey.length >= MIN_SECRET_CHARS) {
    found.add(model.apiKey);
    for (const s of urlSecrets(model.url)) if (s !== model.url) found.add(s);
  }
  for (const s of envSecrets(env)) found.add(s);
  return sortSecrets(found);
}

/** The secrets of one target: those under secret-looking keys, and those its kind's definition names. */
export function targetConfigSecrets(target: Target): string[] {
  const found = new Set<string>();
  collect(target, '', found, 0);
  // A target kept for a configuration problem may lack its kind's keys: it runs nothing, so it has no secrets to read.
  const kind = target.configProblem === undefined ? findProbe(target.kind) : undefined;
  if (kind) {
    // A kind may list its connection URL whole, to mask it in its findings; everywhere else the URL
    // names the target (only the password inside it is a secret, found above).
    const names = new Set(Object.entries(target).flatMap(([k, v]) => (typeof v === 'string' && !SECRET_KEY.test(k) ? [v.trim()] : [])));
    for (const s of [...kind.secrets(target), ...(kind.externalSecrets?.(target) ?? [])]) if (!names.has(s.trim())) found.add(s);
  }
  return sortSecrets(found);
}

function collect(value: unknown, key: string, found: Set<string>, depth: number): void {
  if (depth > 8) return;
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) found.add(value);
    if (URL_KEY.test(key) || value.includes('://')) for (const s of urlSecrets(value)) if (s !== value) found.add(s);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collect(v, key, found, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) collect(v, k, found, depth + 1);
}

function envSecrets(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || NOT_SECRET.test(value.trim())) continue;
    if (SECRET_ENV.test(name)) found.push(value);
    if (URL_ENV.test(name)) for (const s of urlSecrets(value)) if (s !== value) found.push(s);
    // CHATOPS_SIGNING_KEYS: the whole value and each key's secret (id:base64, comma separated).
    if (/SIGNING_KEYS$/.test(name)) {
      found.push(value);
      for (const entry of value.split(',')) found.push(entry.slice(entry.indexOf(':') + 1).trim());
    }
  }
  return found;
}

function sortSecrets(values: Iterable<string>): string[] {
  return [...new Set([...values].map((v) => v.trim()))].filter((s) => s.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}
