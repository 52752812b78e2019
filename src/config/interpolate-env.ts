// `${VAR}` in any string value of the config is replaced by the environment variable, so secrets
// stay out of the file. `$${` escapes a literal `${`. Interpolation runs on parsed values, so a
// secret cannot change the YAML structure.
import { ConfigError } from './config-error.ts';

const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A string value that names a variable that is not set: where it is, and what to do. */
export interface UnsetVariable {
  path: string[];
  message: string;
}

/**
 * The value with every reference replaced. With `unset`, a string naming a variable that is not
 * set is left as written and the problem is added there (every one is found, not only the first);
 * without it, the first such string throws a ConfigError.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = [], unset?: UnsetVariable[]): unknown {
  if (typeof value === 'string') return interpolateString(value, env, path, unset);
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)], unset));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, [...path, k], unset);
    return out;
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: string[], unset: UnsetVariable[] | undefined): string {
  const missing: string[] = [];
  const replaced = text.replace(REFERENCE, (whole, escaped: string, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return whole;
  });
  if (missing.length === 0) return replaced;
  const message = missing.map((name) => `environment variable ${name} is not set (referenced as \${${name}}); set it, or write \${${name}:-default} to give a default`).join('; ');
  if (!unset) throw new ConfigError(`${path.join('.')}: ${message}`);
  unset.push({ path, message });
  return text;
}
