// Domain authentication (GET /v3/whitelabel/domains, paged with limit and offset): every
// authenticated domain's DNS records still in place. A domain SendGrid no longer finds valid is a
// warning naming the records that fail (type, host, expected value); the domain the application
// sends from (sendingDomain) invalid or missing is critical; no authenticated domain at all is a
// warning (mail goes out signed for sendgrid.net, not for the sender's domain).
import { z } from 'zod';
import type { Finding } from '../../../report.ts';
import { capLines } from '../../http/probe-support.ts';
import { plural } from '../../format.ts';
import { failedCall, finding, lackingScope, type SendgridContext } from '../check-context.ts';

const LABEL = 'Domain authentication';
/** Domains asked for per page, and pages at most: 500 domains, far more than an account holds. */
export const PAGE_SIZE = 50;
export const MAX_PAGES = 10;

const recordSchema = z.object({
  valid: z.boolean(),
  type: z.string().optional(),
  host: z.string().optional(),
  data: z.string().optional(),
});

const domainSchema = z.object({
  id: z.number(),
  domain: z.string(),
  subdomain: z.string().nullish(),
  valid: z.boolean(),
  default: z.boolean().optional(),
  // mail_cname, dkim1, dkim2 (automatic security); mail_server, subdomain_spf, dkim (manual).
  dns: z.record(z.string(), recordSchema.nullable()).optional(),
});

type Domain = z.output<typeof domainSchema>;

export async function checkDomainAuth(ctx: SendgridContext): Promise<Finding[]> {
  const lacking = lackingScope(ctx, 'domain_auth', LABEL);
  if (lacking) return [lacking];
  const domains: Domain[] = [];
  let complete = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await ctx.api.getJson(`v3/whitelabel/domains?limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`, z.array(domainSchema));
    if (!res.ok) return [failedCall('domain_auth', LABEL, res.failure, 'whitelabel.read')];
    domains.push(...res.data);
    if (res.data.length < PAGE_SIZE) {
      complete = true;
      break;
    }
  }
  const cut = complete ? undefined : `Only the first ${domains.length} authenticated domains were read (${MAX_PAGES} pages of ${PAGE_SIZE}).`;
  const metrics = { domains: domains.length, invalid: domains.filter((d) => !d.valid).length };

  if (domains.length === 0) {
    const sending = ctx.sendingDomain;
    return [
      finding('domain_auth', sending ? 'crit' : 'warn', sending ? `No authenticated domain: mail from ${sending} is not signed for it` : 'No authenticated domain: mail goes out signed for sendgrid.net, not for your domain', {
        detail: 'Without domain authentication, receivers see DKIM for sendgrid.net and no SPF alignment with the From domain: Gmail and Yahoo send such bulk mail to spam or reject it under DMARC.',
        fix: `authenticate the domain you send from: SendGrid > Settings > Sender Authentication > Authenticate Your Domain, then add the CNAME records it shows at your DNS provider and press Verify.${sending ? '' : ` Set ${ctx.at}.sendingDomain so the probe knows which domain matters most.`}`,
        metrics,
      }),
    ];
  }

  const invalid = domains.filter((d) => !d.valid);
  const sending = ctx.sendingDomain;
  const forSending = sending === undefined ? [] : domains.filter((d) => covers(d.domain, sending));
  const sendingBroken = sending !== undefined && !forSending.some((d) => d.valid);
  const lines = capLines(invalid.map(describeInvalid), 10, 'more invalid domains');
  if (cut) lines.push(cut);

  if (sendingBroken) {
    const missing = forSending.length === 0;
    return [
      finding('domain_auth', 'crit', missing ? `Sending domain ${sending} is not authenticated in SendGrid` : `Sending domain ${sending} fails authentication: ${failingNames(forSending[0]!)}`, {
        detail: [
          missing
            ? `Authenticated: ${capLines(domains.map((d) => d.domain), 10, 'more').join(', ')}; none is ${sending} or a parent of it.`
            : 'SendGrid no longer finds the DNS records it needs: mail from this domain loses its DKIM signature and SPF alignment, and DMARC fails at Gmail, Yahoo and Microsoft.',
          ...lines,
        ].join('\n'),
        fix: missing
          ? `authenticate ${sending}: SendGrid > Settings > Sender Authentication > Authenticate Your Domain, add the CNAME records it shows, press Verify (or correct ${ctx.at}.sendingDomain if the application sends from another domain).`
          : `put the records above back at the DNS provider of ${sending} exactly as shown (a CNAME, not an A record; no proxying, e.g. Cloudflare's orange cloud off), wait for the TTL, then SendGrid > Settings > Sender Authentication > Verify.`,
        metrics,
      }),
    ];
  }
  if (invalid.length > 0) {
    return [
      finding('domain_auth', 'warn', `${plural(invalid.length, 'authenticated domain')} ${invalid.length === 1 ? 'fails' : 'fail'} validation: ${invalid.slice(0, 3).map((d) => d.domain).join(', ')}${invalid.length > 3 ? ', ...' : ''}`, {
        detail: lines.join('\n'),
        fix: 'put the failing records back at the domain\'s DNS provider exactly as shown (CNAMEs not proxied), then SendGrid > Settings > Sender Authentication > Verify; a domain nobody sends from any more can be deleted there instead.',
        metrics,
      }),
    ];
  }
  const which = sending !== undefined ? `, ${sending} among them` : '';
  return [
    finding('domain_auth', 'ok', `${plural(domains.length, 'authenticated domain')}, all valid${which}`, {
      ...(cut && { detail: cut }),
      metrics,
    }),
  ];
}

/** True when an authenticated domain signs mail from `sending`: the same domain, or a parent of it (DMARC's relaxed alignment). */
function covers(authenticated: string, sending: string): boolean {
  const a = authenticated.toLowerCase().replace(/\.$/, '');
  return sending === a || sending.endsWith(`.${a}`);
}

function failingNames(d: Domain): string {
  const failing = Object.entries(d.dns ?? {}).filter(([, r]) => r !== null && !r.valid).map(([k]) => k);
  return failing.length ? failing.join(', ') : 'no record named';
}

/** "example.com (id 7): mail_cname CNAME em123.example.com -> u123.wl.sendgrid.net; dkim1 ..." */
function describeInvalid(d: Domain): string {
  const failing = Object.entries(d.dns ?? {})
    .filter(([, r]) => r !== null && !r.valid)
    .map(([key, r]) => `${key} ${r!.type?.toUpperCase() ?? '?'} ${r!.host ?? '?'} -> ${r!.data ?? '?'}`);
  const records = failing.length ? failing.join('; ') : 'SendGrid names no failing record (run Verify in Sender Authentication to see why)';
  return `${d.domain} (id ${d.id}${d.subdomain ? `, subdomain ${d.subdomain}` : ''}): ${records}`;
}
