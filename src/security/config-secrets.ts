// Every secret the bot was configured with, so that anything it posts, logs, prints or stores can
// be masked with maskSecrets: passwords of connection URLs (raw and decoded) and their secret
// query values, tokens, passwords and API keys under any key of a target, header values, the
// credentials of a Kubernetes target's kubeconfig (or its service account token), and from the
// environment the Slack tokens, the signing secret, the state store's password and any variable
// named like a secret. Compute it once when the config is loaded: it may read kubeconfig files.
import { existsSync, readFileSync } from 'node:fs';
import type { Config, Target } from '../config/config.ts';
import { loadKubeConfig } from '../probes/kubernetes/kube-client.ts';
import type { KubeTarget } from '../probes/kubernetes/kube-target.ts';
import { targetSecrets } from '../probes/http/secrets.ts';
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
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The configured secrets of every target, and those of `env` when given, longest first. Pass the
 * result as is (the same array every time) to maskSecrets.
 */
export function configSecrets(config: Pick<Config, 'targets'>, env: NodeJS.ProcessEnv = {}): string[] {
  const found = new Set<string>();
  for (const target of config.targets) for (const s of targetConfigSecrets(target)) found.add(s);
  for (const s of envSecrets(env)) found.add(s);
  return sortSecrets(found);
}

/** The secrets of one target, whatever its kind. */
export function targetConfigSecrets(target: Target): string[] {
  const found = new Set<string>();
  collect(target, '', found, 0);
  const headers = target.headers;
  if (typeof target.url === 'string' && headers && typeof headers === 'object') {
    for (const s of targetSecrets(target.url, headers as Record<string, string>)) found.add(s);
  }
  if (target.kind === 'k8s') for (const s of kubeSecrets(target as unknown as KubeTarget)) found.add(s);
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
  for (const [k, v] of Object.entries(value)) {
    // Header values are judged by targetSecrets (Content-Type is not a secret, X-Api-Key is).
    if (k === 'headers' && depth === 0) continue;
    collect(v, k, found, depth + 1);
  }
}

/** Tokens, passwords and client keys of the kubeconfig user the target uses, or its service account token. */
function kubeSecrets(target: KubeTarget): string[] {
  const found: string[] = [];
  if (target.inCluster && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    try {
      found.push(readFileSync(SERVICE_ACCOUNT_TOKEN, 'utf8'));
    } catch {
      // Unreadable here: the probe cannot use it either.
    }
  }
  if (target.server || target.inCluster) return found;
  try {
    const kc = loadKubeConfig(target);
    for (const user of kc.getUsers()) {
      for (const v of [user.token, user.password, user.keyData]) if (v) found.push(v);
      const provider = user.authProvider as { config?: Record<string, unknown> } | undefined;
      for (const [k, v] of Object.entries(provider?.config ?? {})) if (typeof v === 'string' && SECRET_KEY.test(k)) found.push(v);
    }
  } catch {
    // A kubeconfig that cannot be read yields no secrets of its own; the probe says why it fails.
  }
  return found;
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
