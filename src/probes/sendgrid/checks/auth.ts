// The key itself (GET /v3/scopes), read when the run opens: SendGrid accepts it, it may send
// (mail.send; without it the application's mail is refused now), and it has the read scopes the
// other checks need (each check without its scope is `unknown`, naming it). A rejected key stops
// the run: nothing else can be read with it.
import { z } from 'zod';
import type { Finding } from '../../../report.ts';
import { unresolvedHost } from '../../http/unresolved-host.ts';
import type { SendgridResult } from '../sendgrid-api.ts';
import { describeSendgridFailure, sendgridFailureFix } from '../sendgrid-failure.ts';
import { finding, READ_SCOPES, SEND_SCOPE } from '../check-context.ts';

export const scopesSchema = z.object({ scopes: z.array(z.string()) });

/** What the run learned from /v3/scopes: the auth finding, the scopes, or a stop. */
export type AuthOutcome = { stop: Finding[] } | { lead: Finding; scopes: ReadonlySet<string> | undefined };

export function judgeAuth(res: SendgridResult<z.output<typeof scopesSchema>>, target: { url: string; at: string }): AuthOutcome {
  if (res.ok) return judgeScopes(new Set(res.data.scopes), target.at);
  const f = res.failure;
  const fix = sendgridFailureFix(f);
  const what = describeSendgridFailure(f);
  switch (f.type) {
    case 'request': {
      if (f.failure.cancelled) return { stop: [finding('auth', 'unknown', 'Not checked: the probe was cancelled before SendGrid answered')] };
      const config = unresolvedHost(f.failure, target.url, `${target.at}.url`);
      if (config) return { stop: [finding('auth', 'unknown', config.title, config.extra)] };
      // No answer at all: the other calls would fail alike, so this is the only finding.
      return { stop: [finding('auth', 'crit', `SendGrid API unreachable: ${what}`, { fix })] };
    }
    case 'status':
      if (f.status === 401) return { stop: [finding('auth', 'crit', `The API key is rejected: ${what}`, { fix })] };
      if (f.status === 403) return { stop: [finding('auth', 'crit', `SendGrid refuses the API key: ${what}`, { fix })] };
      // Rate-limited: every other call would be refused too until the reset.
      if (f.status === 429) return { stop: [finding('auth', 'unknown', `Not checked: SendGrid rate-limits the key (${what})`, { fix })] };
      return { lead: finding('auth', 'unknown', `API key: could not check (${what})`, { fix }), scopes: undefined };
    case 'malformed':
      return { lead: finding('auth', 'unknown', `API key: could not check (${what})`, { fix }), scopes: undefined };
  }
}

function judgeScopes(scopes: ReadonlySet<string>, at: string): AuthOutcome {
  const missingReads = READ_SCOPES.filter((r) => !scopes.has(r.scope));
  const byScope = new Map<string, string[]>();
  for (const r of missingReads) byScope.set(r.scope, [...(byScope.get(r.scope) ?? []), `sendgrid.${r.check}`]);
  const readLine = [...byScope].map(([scope, checks]) => `${scope} (${checks.join(', ')})`).join(', ');
  const reads = readLine ? `The probe cannot read ${readLine}: those checks are unknown.` : 'It has every read scope the checks need.';
  const metrics = { scopes: scopes.size };
  if (!scopes.has(SEND_SCOPE)) {
    return {
      lead: finding('auth', 'crit', 'The API key cannot send: it lacks the mail.send scope', {
        detail: [
          `SendGrid accepts the key (${scopes.size} scopes in /v3/scopes), but without mail.send it refuses every POST /v3/mail/send with 403.`,
          'Judged from the scopes: the probe sends no mail.',
          reads,
        ].join('\n'),
        fix: `give the key Mail Send (SendGrid > Settings > API Keys > Edit API Key > Mail Send: Full Access), or create a key that has it and put it where ${at}.apiKey comes from (SENDGRID_API_KEY) and where the application reads its key.`,
        metrics,
      }),
      scopes,
    };
  }
  const title = readLine ? `API key valid and can send (mail.send); it lacks read scopes: ${[...byScope.keys()].join(', ')}` : 'API key valid: it can send (mail.send) and read what the checks need';
  return { lead: finding('auth', 'ok', title, { detail: reads, metrics }), scopes };
}
