// Checks an action's parameters, as a button (or a dialog) delivered them, against the catalogue's
// declarations: exactly the declared names as own properties (no prototype lookups, no
// `__proto__`), and every value within its type and constraints. The runner refuses on the first
// problem; the executors check the names they put into a request again before sending it.
import { redactSecrets } from '../redact-secrets.ts';
import { UserError } from '../user-error.ts';
import type { ParamSpec } from './action-catalogue.ts';

/** How much of a bad value an error message shows. */
const SHOWN_CHARS = 40;
/** Longer values are described by their length only (masking a huge string is not worth it). */
const MAX_SHOWN_SOURCE = 10_000;

/** What is wrong with `params` for these declarations, or undefined when nothing is. */
export function invalidParams(declared: Readonly<Record<string, ParamSpec>>, params: unknown): string | undefined {
  const accepted = Object.keys(declared).join(', ') || 'none';
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return `parameters must be an object of names and values, got ${show(params)}`;
  const proto: unknown = Object.getPrototypeOf(params);
  if (proto !== Object.prototype && proto !== null) return 'parameters must be a plain object of names and values';
  for (const key of Reflect.ownKeys(params)) {
    if (typeof key !== 'string') return `unexpected parameter ${String(key)}; accepted: ${accepted}`;
    // JSON.parse makes "__proto__" an own property; it is never a parameter name.
    if (key === '__proto__' || !Object.hasOwn(declared, key)) return `unexpected parameter ${showName(key)}; accepted: ${accepted}`;
    const property = Object.getOwnPropertyDescriptor(params, key);
    if (!property || !('value' in property)) return `parameter ${showName(key)} must be a plain value`;
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (!Object.hasOwn(params, name)) return `missing parameter "${name}" (${spec.accepts})`;
    const problem = invalidParam(name, spec, (params as Record<string, unknown>)[name]);
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with one value for its declaration, or undefined when nothing is. */
export function invalidParam(name: string, spec: ParamSpec, value: unknown): string | undefined {
  const bad = (why = '') => `parameter ${showName(name)} must be ${spec.accepts}, got ${show(value)}${why}`;
  if (spec.type === 'integer') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || Object.is(value, -0)) return bad();
    return value < spec.min || value > spec.max ? bad() : undefined;
  }
  if (typeof value !== 'string') return bad();
  if (value.length === 0) return bad();
  if (value.includes('\0')) return bad(' (a NUL character)');
  if (value.length > spec.maxLength) return bad(` (${value.length} characters)`);
  if (spec.maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > spec.maxBytes) return bad(` (${Buffer.byteLength(value, 'utf8')} bytes)`);
  if (spec.enum && !spec.enum.includes(value)) return bad();
  if (spec.pattern && !spec.pattern.test(value)) return bad();
  return undefined;
}

/**
 * Throws unless each named parameter meets its declaration: what an executor calls before it puts
 * the values into a request, whatever its caller checked before.
 */
export function assertParams(params: unknown, specs: Readonly<Record<string, ParamSpec>>): void {
  const own = typeof params === 'object' && params !== null ? params : {};
  for (const [name, spec] of Object.entries(specs)) {
    const problem = Object.hasOwn(own, name) ? invalidParam(name, spec, (own as Record<string, unknown>)[name]) : `missing parameter "${name}" (${spec.accepts})`;
    if (problem) throw new UserError(`nothing was sent: ${problem}`);
  }
}

/** The value of an own property of `record`, never one inherited from Object.prototype. */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A value for an error message: cut, with control, invisible and bidi characters escaped, secrets masked. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length > MAX_SHOWN_SOURCE) return `a string of ${value.length} characters`;
    const chars = [...redactSecrets(value)];
    const cut = chars.length > SHOWN_CHARS ? `${chars.slice(0, SHOWN_CHARS).join('')}…` : chars.join('');
    return escapeInvisible(JSON.stringify(cut));
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}

function showName(name: string): string {
  return show(name);
}

/** JSON.stringify escapes C0 controls and lone surrogates; this adds DEL, C1, zero-width and bidi controls. */
function escapeInvisible(text: string): string {
  return text.replace(/[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
