// stripe.webhook_secret: the endpoint signing secret the receiver verifies Stripe-Signature with.
// Configured (missing is a warning saying what it is for) and well formed: whsec_ and nothing
// around it (whitespace and quotes are the usual copy-paste damage, and every signature then
// fails). The value itself is never shown.
import type { Finding } from '../../../report.ts';
import { finding, type StripeCheckContext } from '../check-context.ts';

const VERIFY = 'bin/chatops stripe verify-signature';

export function checkWebhookSecret(ctx: StripeCheckContext): Finding[] {
  const secret = ctx.webhookSecret;
  if (secret === undefined || secret === '') {
    return [
      finding('webhook_secret', 'warn', 'No webhook signing secret configured (webhookSecret)', {
        detail: [
          'The signing secret (whsec_...) is what the webhook receiver checks the Stripe-Signature header with.',
          'Configured here, this check sees a damaged one (whitespace, quotes, not whsec_...); it is never shown.',
          '`' + VERIFY + ' --secret-env STRIPE_WEBHOOK_SECRET` checks a captured delivery against it.',
        ].join('\n'),
        fix: 'copy the endpoint\'s signing secret from the Stripe dashboard (Developers > Webhooks > the endpoint > Signing secret; test and live endpoints have different ones) into STRIPE_WEBHOOK_SECRET and set webhookSecret: ${STRIPE_WEBHOOK_SECRET} on the target.',
      }),
    ];
  }
  const problems: string[] = [];
  if (secret !== secret.trim()) problems.push('whitespace (a space or newline) around it');
  const inner = secret.trim();
  if (/^["'`]|["'`]$/.test(inner)) problems.push('quotes around it');
  const bare = inner.replace(/^["'`]+|["'`]+$/g, '');
  if (!bare.startsWith('whsec_')) problems.push(`it does not start with whsec_${/^(sk|rk|pk)_/.test(bare) ? ' (it looks like an API key, not a signing secret)' : ''}`);
  else if (!/^whsec_[A-Za-z0-9+/=_-]+$/.test(bare)) problems.push('characters other than letters and digits after whsec_ (part of another value pasted in?)');
  if (/\s/.test(inner)) problems.push('whitespace inside it');
  if (problems.length > 0) {
    return [
      finding('webhook_secret', 'warn', `The webhook signing secret is malformed: ${problems.join('; ')}`, {
        detail: 'A receiver that verifies with this value rejects every delivery (signature mismatch), and Stripe disables an endpoint that keeps failing.',
        fix: `copy the secret again from the Stripe dashboard (Developers > Webhooks > the endpoint > Signing secret) as whsec_ followed by letters and digits, nothing around it; check a captured delivery with \`${VERIFY}\`.`,
      }),
    ];
  }
  return [finding('webhook_secret', 'ok', 'Webhook signing secret configured and well formed (whsec_..., not shown)')];
}
