// Domain authentication (GET /v3/whitelabel/domains, paged with limit and offset): every
// authenticated domain's DNS records still in place. A domain SendGrid no longer finds valid is a
// warning naming the records that fail (type, host, expected value); the domain the application
// sends from (sendingDomain) invalid or missing is critical; no authenticated domain at all is a
// warning (mail goes out signed for sendgrid.net, not for the sender's domain). Paging is bounded
// (pages and domains) and survives a server that ignores limit or offset; names and record data
// are shown on one line without control characters (shown-text.ts).
import { z } from 'zod';
import type { Finding } from '../../../report.ts';
import { capLines } from '../../http/probe-support.ts';
import { plural } from '../../format.ts';
import { failedCall, finding, lackingScope, type SendgridContext } from '../check-context.ts';
import { shownText } from '../shown-text.ts';

const LABEL = 'Domain authentication';
/** Domains asked for per page (SendGrid's limit, an item count; offset counts items too). */
const PAGE_SIZE = 50;
/** Pages asked for at most, and domains judged at most: far more than an account normally holds. */
const MAX_PAGES = 10;
const MAX_DOMAINS = PAGE_SIZE * MAX_PAGES;
/** Failing records named per domain at most. */
const MAX_RECORDS = 6;

const text = (max: number) => z.string().transform((s) => shownText(s, max));

const recordSchema = z.object({
  valid: z.boolean(),
  type: text(16).optional(),
  host: text(255).optional(),
  data: text(300).optional(),
});

const domainSchema = z.object({
  id: z.number().int(),
  domain: text(253),
  subdomain: text(63).nullish(),
  valid: z.boolean(),
  default: z.boolean().optional(),
  // mail_cname, dkim1, dkim2 (automatic security); mail_server, subdomain_spf, dkim (manual).
  dns: z.record(z.string(), recordSchema.nullable()).optional(),
});

type Domain = z.output<typeof domainSchema>;

type DomainList = { ok: true; domains: Domain[]; complete: boolean } | { ok: false; finding: Finding };

/**
 * Pages of `limit` domains by item `offset` until a short page. A page longer than asked means
 * the server ignores limit (it sent the list at once); a page of domains already seen means it
 * ignores offset: either ends the paging. At most MAX_DOMAINS are kept.
 */
async function listDomains(ctx: SendgridContext): Promise<DomainList> {
  const byId = new Map<number, Domain>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await ctx.api.getJson(`v3/whitelabel/domains?limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`, z.array(domainSchema));
    if (!res.ok) return { ok: false, finding: failedCall('domain_auth', LABEL, res.failure, 'whitelabel.read') };
    let fresh = 0;
    for (const d of res.data) {
      if (byId.has(d.id)) continue;
      if (byId.size === MAX_DOMAINS) return { ok: true, domains: [...byId.values()], complete: false };
      byId.set(d.id, d);
      fresh++;
    }
    if (res.data.length !== PAGE_SIZE || fresh === 0) return { ok: true, domains: [...byId.values()], complete: true };
  }
  return { ok: true, domains: [...byId.values()], complete: false };
}

export async function checkDomainAuth(ctx: SendgridContext): Promise<Finding[]> {
  const lacking = lackingScope(ctx, 'domain_auth', LABEL);
  if (lacking) return [lacking];
  const list = await listDomains(ctx);
  if (!list.ok) return [list.finding];
  const { domains, complete } = list;
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
  const lines = capLines(invalid.map(describeInvalid), 10, 'more invalid domains');
  if (cut) lines.push(cut);
  // Not among a cut list: it may well be further on, so it is neither missing nor fine.
  const sendingUnseen = sending !== undefined && forSending.length === 0 && !complete;
  const sendingBroken = sending !== undefined && !sendingUnseen && !forSending.some((d) => d.valid);

  if (sendingUnseen && invalid.length === 0) {
    return [
      finding('domain_auth', 'unknown', `Sending domain ${sending} is not among the first ${domains.length} authenticated domains read`, {
        detail: lines.join('\n'),
        fix: `check ${sending} in SendGrid > Settings > Sender Authentication; the account holds more authenticated domains than the probe reads, so delete the ones nobody sends from.`,
        metrics,
      }),
    ];
  }
  if (sendingUnseen) lines.push(`${sending} is not among the domains read.`);

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

type DnsRecord = NonNullable<NonNullable<Domain['dns']>[string]>;

/** The records SendGrid no longer finds, at most MAX_RECORDS, their names made safe to show. */
function failingRecords(d: Domain): Array<[string, DnsRecord]> {
  const failing: Array<[string, DnsRecord]> = [];
  for (const [key, r] of Object.entries(d.dns ?? {})) {
    if (r !== null && !r.valid) failing.push([shownText(key, 40), r]);
    if (failing.length === MAX_RECORDS) break;
  }
  return failing;
}

function failingNames(d: Domain): string {
  const failing = failingRecords(d).map(([k]) => k);
  return failing.length ? failing.join(', ') : 'no record named';
}

/** "example.com (id 7): mail_cname CNAME em123.example.com -> u123.wl.sendgrid.net; dkim1 ..." */
function describeInvalid(d: Domain): string {
  const failing = failingRecords(d).map(([key, r]) => `${key} ${r.type?.toUpperCase() ?? '?'} ${r.host ?? '?'} -> ${r.data ?? '?'}`);
  const records = failing.length ? failing.join('; ') : 'SendGrid names no failing record (run Verify in Sender Authentication to see why)';
  return `${d.domain} (id ${d.id}${d.subdomain ? `, subdomain ${d.subdomain}` : ''}): ${records}`;
}
