// `chatops stripe verify-signature`: why a Stripe webhook delivery fails signature verification.
// Stripe signs "<t>.<raw body>" with HMAC-SHA256 keyed by the endpoint's secret (whsec_...) and
// sends `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`; v0 is a test-mode scheme and
// is ignored, as the SDK does. The signature itself is checked by the official SDK, loaded here only.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../user-error.ts';

const EXIT_VALID = 0;
const EXIT_INVALID = 2;
/** Stripe's SDK default: a signature older than this many seconds is refused. */
const DEFAULT_TOLERANCE_S = 300;

const HELP = `Usage: chatops stripe verify-signature --secret-env VAR --header VALUE --body-file FILE [--tolerance SECONDS]

Checks a Stripe webhook delivery as Stripe's SDK does, and says why it fails: a missing or
malformed Stripe-Signature header, a timestamp outside the tolerance (and by how much), or a
signature that does not match. On a mismatch it tries the body as frameworks change it
(JSON re-serialised compactly or with 2-space indentation, a trailing newline added or removed,
CRLF and LF line endings): a variant that matches names the change, and that the raw body must be
verified. When none matches, the secret is not the one Stripe signed with.

  --secret-env VAR     the environment variable holding the endpoint's signing secret (whsec_...);
                       the secret is never printed
  --header VALUE       the Stripe-Signature header's value (t=...,v1=...)
  --body-file FILE     the request body exactly as received
  --tolerance SECONDS  how old a signature may be (default ${DEFAULT_TOLERANCE_S}, as Stripe's SDK; 0: do not
                       check the time, to check an old delivery's signature alone)
  -h, --help           this help

Exit code: 0 valid, 2 invalid (the reason is printed), 3 usage error.
Example: chatops stripe verify-signature --secret-env STRIPE_WEBHOOK_SECRET --header "$SIG" --body-file body.json
`;

interface ParsedHeader { timestamp: number; signatures: string[] }

/** `chatops stripe <subcommand>`: verify-signature only. */
export async function verifyStripeSignature(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (args[0] !== 'verify-signature') {
    throw new UserError(`stripe takes one subcommand, verify-signature; got ${args.length === 0 ? 'none' : `"${args[0]}"`}; see 'chatops stripe --help'`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      allowPositionals: false,
      options: {
        'secret-env': { type: 'string' },
        header: { type: 'string' },
        'body-file': { type: 'string' },
        tolerance: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UserError(`${(e as Error).message}; see 'chatops stripe --help'`);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const missing = (['secret-env', 'header', 'body-file'] as const).filter((o) => values[o] === undefined);
  if (missing.length > 0) throw new UserError(`stripe verify-signature needs ${missing.map((o) => `--${o}`).join(', ')}; see 'chatops stripe --help'`);
  const tolerance = values.tolerance === undefined ? DEFAULT_TOLERANCE_S : Number(values.tolerance);
  if (values.tolerance !== undefined && (values.tolerance.trim() === '' || !Number.isInteger(tolerance) || tolerance < 0)) {
    throw new UserError(`--tolerance must be whole seconds, 0 or more (0: no time check), got "${values.tolerance}"`);
  }
  const secret = readSecret(values['secret-env']!);
  let body: Buffer;
  try {
    body = readFileSync(values['body-file']!);
  } catch (e) {
    throw new UserError(`--body-file: cannot read "${values['body-file']}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }

  const say = (line: string) => process.stdout.write(`${line}\n`);
  const value = values.header!.trim().replace(/^stripe-signature:\s*/i, '');
  if (value === '') {
    say('invalid: the Stripe-Signature header is empty: the request carried no signature (a proxy or framework that drops the header, or a request that did not come from Stripe)');
    return EXIT_INVALID;
  }
  const header = parseHeader(value);
  if (typeof header === 'string') {
    say(`invalid: malformed Stripe-Signature header: ${header}; Stripe sends t=<unix seconds>,v1=<hex HMAC-SHA256>`);
    return EXIT_INVALID;
  }
  if (body.length === 0) {
    say(`invalid: the body in ${values['body-file']} is empty: Stripe signs the raw request body, and a receiver that reads it after it was consumed (by a JSON parser) verifies nothing`);
    return EXIT_INVALID;
  }

  const { default: Stripe } = await import('stripe');
  const verifier = Stripe.webhooks.signature;
  if (!verifier) throw new Error('the stripe package has no signature verifier');
  // The signature alone (tolerance 0): the time is judged below, in both directions.
  const matches = (payload: Buffer) => {
    try {
      return verifier.verifyHeader(payload, value, secret, 0);
    } catch {
      return false;
    }
  };

  const nowS = Math.floor(Date.now() / 1000);
  const age = nowS - header.timestamp;
  const signedAt = new Date(header.timestamp * 1000).toISOString();
  const late = tolerance > 0 && Math.abs(age) > tolerance;
  const timing = age >= 0 ? `${describeDuration(age)} ago` : `${describeDuration(-age)} in the future`;
  const timeProblem = late
    ? `the timestamp is outside the tolerance of ${tolerance} s: signed at ${signedAt}, ${timing}`
      + (age >= 0 ? '' : ': the clock of this machine, or of the receiver, is behind')
    : undefined;

  if (!matches(body)) {
    say(`invalid: no v1 signature matches the body with the secret in ${values['secret-env']}${header.signatures.length > 1 ? ` (${header.signatures.length} v1 signatures tried)` : ''}`);
    for (const line of diagnoseMismatch(body, matches, values['secret-env']!)) say(`  ${line}`);
    if (timeProblem) say(`  Also: ${timeProblem}.`);
    return EXIT_INVALID;
  }
  if (timeProblem) {
    say(`invalid: ${timeProblem}.`);
    say(`  The signature itself matches: body and secret are right. A receiver refuses this when it verifies late (a queued or replayed delivery) or its clock is off by that much; to check an old delivery's signature alone, pass --tolerance 0.`);
    return EXIT_INVALID;
  }
  say(`valid: signed at ${signedAt}, ${age >= 0 ? `${age} s ago` : `${-age} s in the future`}`);
  return EXIT_VALID;
}

/** The secret from its environment variable, refused (naming the variable, never any of its value) unless shaped like one. */
function readSecret(name: string): string {
  const secret = process.env[name];
  if (secret === undefined || secret === '') {
    throw new UserError(`${name} is ${secret === undefined ? 'not set' : 'empty'}: --secret-env names the environment variable holding the endpoint's signing secret (whsec_..., in the Dashboard under Developers, Webhooks, the endpoint, Signing secret)`);
  }
  if (/\s/.test(secret)) {
    throw new UserError(`${name} contains whitespace (a trailing newline from a file or a paste?): a signing secret is whsec_ followed by letters and digits; remove it there, and where the receiver reads it`);
  }
  if (!/^whsec_[A-Za-z0-9+/=_-]+$/.test(secret)) {
    const apiKey = /^(?:sk|rk|pk)_/.test(secret);
    throw new UserError(`${name} does not hold a webhook signing secret${apiKey ? ': it holds an API key' : ''}; the accepted form is whsec_ followed by letters and digits (the endpoint's Signing secret in the Dashboard, or the one \`stripe listen\` prints)`);
  }
  return secret;
}

/** t= and the v1 signatures, or what is wrong with the header. */
function parseHeader(value: string): ParsedHeader | string {
  let t: string | undefined;
  const signatures: string[] = [];
  const others: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    if (key === 't') t = v;
    else if (key === 'v1') signatures.push(v);
    else others.push(key.trim() === '' ? '(empty)' : key);
  }
  const spaced = others.filter((k) => k.trim() !== k);
  if (spaced.length > 0) return `space around the parts (${spaced.map((k) => `"${k}"`).join(', ')}): the SDK reads the header exactly as sent, with no spaces after the commas`;
  const problems: string[] = [];
  if (t === undefined) problems.push('no t= (the timestamp)');
  else if (!/^\d+$/.test(t)) problems.push(`t is not a number of seconds: "${t}"`);
  if (signatures.length === 0) {
    problems.push(others.includes('v0') ? 'no v1= (only v0=, a test-mode scheme that is ignored)' : 'no v1= (the signature)');
  } else {
    const bad = signatures.filter((s) => !/^[0-9a-f]{64}$/.test(s));
    if (bad.length === signatures.length) problems.push(`no v1 value is 64 hexadecimal characters (an HMAC-SHA256)`);
  }
  if (problems.length > 0) return problems.join(', ');
  return { timestamp: Number(t), signatures };
}

interface Variant { name: string; body: string | undefined; change: string }

/** Why the signature does not match: a changed body (which change), or else the secret. */
function diagnoseMismatch(raw: Buffer, matches: (payload: Buffer) => boolean, secretEnv: string): string[] {
  const text = raw.toString('utf8');
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(text);
    isJson = true;
  } catch { /* not JSON: the newline variants still apply */ }
  const reindented = text.includes('\n') ? 'parsed the JSON and wrote it back with other indentation' : 'parsed the JSON and wrote it back compactly (JSON.stringify)';
  // Smallest change first: a newline or line-ending change also survives a JSON re-serialisation.
  const variants: Variant[] = [
    { name: 'without its trailing newline', body: /\r?\n$/.test(text) ? text.replace(/\r?\n$/, '') : undefined, change: 'added a trailing newline' },
    { name: 'with a trailing newline added', body: /\n$/.test(text) ? undefined : `${text}\n`, change: 'removed the trailing newline' },
    { name: 'with LF line endings', body: text.includes('\r\n') ? text.replaceAll('\r\n', '\n') : undefined, change: 'turned LF line endings into CRLF' },
    { name: 'with CRLF line endings', body: /(^|[^\r])\n/.test(text) ? text.replace(/\r?\n/g, '\r\n') : undefined, change: 'turned CRLF line endings into LF' },
    ...(isJson
      ? [
        { name: 're-serialised as JSON with 2-space indentation', body: JSON.stringify(json, null, 2), change: reindented },
        { name: 're-serialised as JSON with 2-space indentation and a trailing newline', body: `${JSON.stringify(json, null, 2)}\n`, change: reindented },
        { name: 're-serialised as compact JSON', body: JSON.stringify(json), change: 'parsed the JSON and wrote it back with other indentation' },
        { name: 're-serialised as compact JSON with a trailing newline', body: `${JSON.stringify(json)}\n`, change: 'parsed the JSON and wrote it back with other indentation' },
      ]
      : []),
  ];
  for (const v of variants) {
    if (v.body === undefined || v.body === text) continue;
    if (matches(Buffer.from(v.body, 'utf8'))) {
      return [
        `The signature matches the body ${v.name}: the secret is right, but the body was changed after Stripe sent it; something ${v.change}.`,
        'Verify the RAW request body, the bytes as received, before any JSON parsing or re-encoding (Express: express.raw({ type: \'application/json\' }) on the webhook route).',
      ];
    }
  }
  // Stripe writes an event's keys in its own order, "id" then "object" first. A body that starts
  // otherwise was parsed and written back with its keys reordered (sorted, rebuilt from a map): no
  // variant undoes that, so the secret cannot be judged from this body.
  const keys = isJson && json !== null && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
  if (keys.includes('id') && keys.includes('object') && (keys[0] !== 'id' || keys[1] !== 'object')) {
    return [
      `The body's keys are not in Stripe's order (it sends "id", "object" first; this one starts with "${keys[0]}", "${keys[1]}"): something parsed the JSON and wrote it back with its keys reordered, which cannot be undone here, so the secret cannot be judged from this body.`,
      'Capture and verify the RAW request body, the bytes as received, before any JSON parsing or re-encoding (Express: express.raw({ type: \'application/json\' }) on the webhook route).',
    ];
  }
  const lines = [
    `Nor does the body re-serialised (compact or 2-space JSON), with a trailing newline added or removed, or with CRLF/LF line endings: the secret in ${secretEnv} is most likely not the one Stripe signed with.`,
    'Check test vs live mode (each mode has its own endpoint and secret) and that it is this endpoint\'s own signing secret (every endpoint has its own; `stripe listen` uses yet another one).',
  ];
  const livemode = isJson && typeof json === 'object' && json !== null && 'livemode' in json ? (json as { livemode: unknown }).livemode : undefined;
  if (typeof livemode === 'boolean') lines.push(`The event says livemode: ${livemode}, so the secret must be the ${livemode ? 'live' : 'test'}-mode endpoint's.`);
  return lines;
}

/** Seconds in the largest units that say them: "45 s", "3 min 20 s", "2 h 5 min", "3 days 4 h". */
function describeDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h${Math.floor((seconds % 3600) / 60) ? ` ${Math.floor((seconds % 3600) / 60)} min` : ''}`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  return `${days} ${days === 1 ? 'day' : 'days'}${hours ? ` ${hours} h` : ''}`;
}
