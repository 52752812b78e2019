// The `url` of a stripe target: the API base as the SDK takes it (scheme, host and port, no path,
// no credentials), checked when the config is read and turned into the SDK's host/port/protocol.

export const STRIPE_API_BASE = 'https://api.stripe.com';

/** What the `url` key accepts, for error messages. */
const STRIPE_URL_ACCEPTS = 'url takes the Stripe API base: scheme (http or https), host and port only, like https://api.stripe.com or http://127.0.0.1:12111 (no path: the SDK adds /v1/...; no user, password, query or fragment)';

/** Why `url` cannot be a Stripe API base, or undefined when it can. */
export function stripeUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${STRIPE_URL_ACCEPTS}; this is not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${STRIPE_URL_ACCEPTS}; got scheme ${u.protocol.replace(/:$/, '')}`;
  if (u.username || u.password) return `${STRIPE_URL_ACCEPTS}; it has credentials (the key goes in apiKey)`;
  if (u.pathname !== '/' && u.pathname !== '') return `${STRIPE_URL_ACCEPTS}; got path ${u.pathname}`;
  if (u.search || u.hash || url.includes('?') || url.includes('#')) return `${STRIPE_URL_ACCEPTS}; it has a query or fragment`;
  return undefined;
}

/** The SDK's host, port and protocol for a valid base URL. */
export function stripeHostOptions(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const u = new URL(url);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { host: u.hostname, port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443, protocol };
}
