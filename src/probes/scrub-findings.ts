// No finding may carry a target's secrets (a URL password, a header token), whatever a client
// library or a server put into an error message or a body. Probes collect their target's secrets
// and pass every finding through scrubFindings before returning.
import type { Finding } from '../report.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import { safeDecode } from './safe-decode.ts';

/** Query parameters whose values are secrets (`?password=`, `?token=`, `?sig=`). */
const SECRET_PARAM = /token|key|secret|pass|auth|sig|session|code|credential/i;
/** Shorter values would mask ordinary words; no real secret is this short. */
const MIN_SECRET_LENGTH = 3;

/** The secrets inside a connection URL: the URL itself, its password raw and decoded, secret query values. */
export function urlSecrets(url: string): string[] {
  const found = new Set<string>([url]);
  try {
    const u = new URL(url);
    found.add(u.password);
    found.add(safeDecode(u.password));
    for (const [name, value] of u.searchParams) if (SECRET_PARAM.test(name)) found.add(value);
  } catch {
    // Not a URL (a libpq key=value string): its password= value at least.
    const kv = /password=([^\s&]+)/i.exec(url);
    if (kv?.[1]) found.add(kv[1]);
  }
  return sortedSecrets(found);
}

/** Longest first, so a secret that contains another is masked whole. */
export function sortedSecrets(values: Iterable<string>): string[] {
  return [...new Set([...values].map((v) => v.trim()))].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** The generic patterns and every secret (also URL-encoded and in base64) masked, in one linear pass. */
export function scrubText(text: string, secrets: readonly string[]): string {
  return maskSecrets(text, secrets);
}

export function scrubFindings(findings: readonly Finding[], secrets: readonly string[]): Finding[] {
  return findings.map((f) => {
    const out: Finding = { ...f, title: scrubText(f.title, secrets) };
    if (f.detail !== undefined) out.detail = scrubText(f.detail, secrets);
    if (f.fix !== undefined) out.fix = scrubText(f.fix, secrets);
    if (f.effects) out.effects = f.effects.map((e) => scrubText(e, secrets));
    // A parameter an answer supplied (an image name, a description for the confirmation) may carry
    // a secret the server echoed: masked like the text, so a button never carries one to Slack.
    if (f.remedies) {
      out.remedies = f.remedies.map((r) => ({
        ...r,
        label: scrubText(r.label, secrets),
        params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, typeof v === 'string' ? scrubText(v, secrets) : v])),
      }));
    }
    return out;
  });
}
