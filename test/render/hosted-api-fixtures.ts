// Reports of the hosted-API kinds for the renderer tests, as the probes produced them against the
// local Stripe, OpenAI and SendGrid servers of test/probes/<kind>/ (bin/chatops diag ... --json),
// broken the way an on-call engineer meets them: a disabled webhook endpoint with its button and
// integration errors among the payment failures, an OpenAI organization out of credits, a SendGrid
// key that cannot send with bounces and a failing DNS record. The local ports are replaced by the
// vendors' API bases, the start time, duration and latencies fixed, so the output is stable.
import type { Report } from '../../src/report.ts';

export const stripeReport: Report = {
  target: "payments",
  kind: "stripe",
  endpoint: "https://api.stripe.com",
  status: "crit",
  startedAt: "2025-03-14T03:02:11.000Z",
  durationMs: 612,
  findings: [
    {
      check: "stripe.webhook_endpoints",
      status: "crit",
      title: "Live-mode webhook endpoint disabled: https://shop.example.com/stripe/hook (we_1Dis); Stripe sends it nothing",
      detail: "DISABLED we_1Dis https://shop.example.com/stripe/hook: listens to payment_intent.succeeded, charge.refunded\nlistens to none of the event types emitted in the last 30 days: we_1Deaf https://crm.example.com/hook: customer.created",
      metrics: {
        endpoints: 2,
        disabled: 1,
        deaf: 1,
      },
      remedies: [
        {
          action: "stripe.enable_webhook_endpoint",
          label: "Re-enable webhook endpoint",
          params: {
            endpoint: "we_1Dis",
          },
        },
      ],
      fix: "Stripe disables an endpoint whose deliveries kept failing for days (or someone disabled it): fix the receiver first (its log, and the endpoint's failed deliveries in Developers > Webhooks), then re-enable it (the button, or the dashboard). Stripe makes no retries to a disabled endpoint; re-enabled within the retry window (3 days in live mode), pending retries resume, and older events must be resent from the dashboard.",
      runbook: "stripe-webhook-endpoint-disabled",
    },
    {
      check: "stripe.payment_failures",
      status: "crit",
      title: "7 of 27 payments failed in the last hour (25.9%), mostly api_error/invalid_request_error: looks like our integration, not customers' cards",
      detail: "4 × api_error, e.g. pi_api0: An unknown error occurred\n3 × card_error/insufficient_funds, e.g. pi_dec0\n4 of the 7 failures are api_error/invalid_request_error: that looks like our integration, not customers' cards.",
      metrics: {
        attempts: 27,
        failed: 7,
        succeeded: 20,
        integration_errors: 4,
        failure_pct: 25.9,
      },
      fix: "read the failing requests in the Stripe dashboard (Developers > Logs, filter on errors): a parameter our code sends wrong, a payment method or customer id from the other mode or account, or an API version change; compare with the last deploy of the payment code. See the stripe-payment-failures runbook.",
      runbook: "stripe-payment-failures",
    },
    {
      check: "stripe.undelivered_events",
      status: "warn",
      title: "2 webhook events not delivered in the last hour: 1 × payment_intent.payment_failed, 1 × payment_intent.succeeded",
      detail: "1 × payment_intent.payment_failed\n1 × payment_intent.succeeded\nOldest: evt_1 (payment_intent.succeeded), created 50 min ago\nWebhooks still pending for these events: 2\nDisabled, sent nothing until re-enabled (stripe.webhook_endpoints): we_1Dis https://shop.example.com/stripe/hook\nCounted: events created in the last hour, over 5 minutes ago (newer ones may still be on their way).\nStripe retries live-mode deliveries for up to 3 days: older ones are history, not this alarm.",
      metrics: {
        undelivered: 2,
        pending_webhooks: 2,
      },
      fix: "open the endpoint's failed deliveries (Developers > Webhooks > the endpoint > Event deliveries): a timeout or 5xx is the receiver (its log, its deploys); a 400 or 401 on signature is the signing secret or a parsed body (see the stripe-webhook-delivery runbook and `bin/chatops stripe verify-signature`). Stripe retries on its own; once fixed, resend what matters (dashboard, or `stripe events resend evt_... --webhook-endpoint we_...`).",
      runbook: "stripe-webhook-delivery",
    },
    {
      check: "stripe.webhook_secret",
      status: "warn",
      title: "No webhook signing secret configured (webhookSecret)",
      detail: "The signing secret (whsec_...) is what the webhook receiver checks the Stripe-Signature header with.\nConfigured here, this check sees a damaged one (whitespace, quotes, not whsec_...); it is never shown.\n`bin/chatops stripe verify-signature --secret-env STRIPE_WEBHOOK_SECRET` checks a captured delivery against it.",
      fix: "copy the endpoint's signing secret from the Stripe dashboard (Developers > Webhooks > the endpoint > Signing secret; test and live endpoints have different ones) into STRIPE_WEBHOOK_SECRET and set webhookSecret: ${STRIPE_WEBHOOK_SECRET} on the target.",
      runbook: "stripe-webhook-delivery",
    },
    {
      check: "stripe.auth",
      status: "ok",
      title: "Live-mode secret key works: GET /v1/balance answered in 41 ms",
      metrics: {
        latency_ms: 41,
        livemode: 1,
      },
      runbook: "stripe-api-key",
    },
  ],
};

export const openaiReport: Report = {
  target: "llm",
  kind: "openai",
  endpoint: "https://api.openai.com/v1 (OpenAI)",
  status: "crit",
  startedAt: "2025-03-14T03:02:11.000Z",
  durationMs: 612,
  findings: [
    {
      check: "openai.quota",
      status: "crit",
      title: "Out of quota (insufficient_quota): You exceeded your current quota, please check your plan and billing details.",
      detail: "POST /chat/completions: HTTP 429 (insufficient_quota), request id req_00000000000000000000000000000008: You exceeded your current quota, please check your plan and billing details.",
      metrics: {
        status: 429,
      },
      fix: "add credits or raise the budget: the organization has used its prepaid credits or hit its monthly usage limit (OpenAI dashboard: Settings > Billing for credits and auto-recharge, Settings > Limits for the budget; the Usage page shows what spent it). Retrying will not help: every request fails the same way until the balance or the limit changes.",
      merged: [
        "openai.headroom",
      ],
      runbook: "ai-provider-quota-and-rate-limits",
    },
    {
      check: "openai.connectivity",
      status: "ok",
      title: "Connected to https://api.openai.com/v1 (OpenAI): 5 models listed in 41 ms, request id req_00000000000000000000000000000007, model gpt-4o-mini offered",
      metrics: {
        latency_ms: 41,
        models: 5,
      },
      runbook: "ai-provider-outage",
    },
    {
      check: "openai.auth",
      status: "ok",
      title: "The key is accepted",
      runbook: "ai-provider-keys",
    },
    {
      check: "openai.server",
      status: "ok",
      title: "No server errors: GET /models 200 in 41 ms, POST /chat/completions 429",
      runbook: "ai-provider-outage",
    },
  ],
};

export const sendgridReport: Report = {
  target: "mail",
  kind: "sendgrid",
  endpoint: "https://api.sendgrid.com",
  status: "crit",
  startedAt: "2025-03-14T03:02:11.000Z",
  durationMs: 612,
  findings: [
    {
      check: "sendgrid.auth",
      status: "crit",
      title: "The API key cannot send: it lacks the mail.send scope",
      detail: "SendGrid accepts the key (2 scopes in /v3/scopes), but without mail.send it refuses every POST /v3/mail/send with 403.\nJudged from the scopes: the probe sends no mail.\nThe probe cannot read user.account.read (sendgrid.reputation): those checks are unknown.",
      metrics: {
        scopes: 2,
      },
      fix: "give the key Mail Send (SendGrid > Settings > API Keys > Edit API Key > Mail Send: Full Access), or create a key that has it and put it where targets.mail.apiKey comes from (SENDGRID_API_KEY) and where the application reads its key.",
      runbook: "email-deliverability",
    },
    {
      check: "sendgrid.delivery",
      status: "crit",
      title: "Bounce rate 12% (120 of 1,000 requests since 2026-12-01 00:00 UTC): above 10%",
      detail: "requests 1,000, delivered 880, bounces 120, blocks 0, deferred 0, invalid emails 0, dropped (earlier bounce) 0, spam reports 3",
      metrics: {
        requests: 1000,
        delivered: 880,
        bounces: 120,
        blocks: 0,
        deferred: 0,
        invalid_emails: 0,
        bounce_pct: 12,
      },
      fix: "find what bounces: SendGrid > Activity (filter Bounced) or GET /v3/suppression/bounces shows the addresses and the receivers' reasons. Many at one domain: that receiver refuses you (read the reason). Many unknown users: a bad or old list was imported or a signup form lets typos in; stop that send, and remove the addresses. Blocks count apart: they are receivers refusing your mail, not bad addresses.",
      runbook: "email-deliverability",
    },
    {
      check: "sendgrid.spam_reports",
      status: "crit",
      title: "Spam reports 0.34% (3 of 880 delivered since 2026-12-01 00:00 UTC): above 0.3%",
      detail: "SendGrid counts the complaints receivers report back (Yahoo, Microsoft and others); Gmail's own spam rate is in Google Postmaster Tools.",
      metrics: {
        delivered: 880,
        spam_reports: 3,
        spam_pct: 0.341,
      },
      fix: "find what people mark as spam: SendGrid > Suppressions > Spam Reports lists the addresses and times; match them to the campaign or email type sent just before. Pause that send, send only to people who asked for it, and make unsubscribing one click (List-Unsubscribe header, SendGrid subscription tracking). Above 0.3% Gmail and Yahoo start rejecting mail.",
      runbook: "email-deliverability",
    },
    {
      check: "sendgrid.domain_auth",
      status: "warn",
      title: "1 authenticated domain fails validation: example.com",
      detail: "example.com (id 1, subdomain em4821): dkim1 CNAME s1._domainkey.example.com -> s1.domainkey.u31337.wl1.sendgrid.net",
      metrics: {
        domains: 1,
        invalid: 1,
      },
      fix: "put the failing records back at the domain's DNS provider exactly as shown (CNAMEs not proxied), then SendGrid > Settings > Sender Authentication > Verify; a domain nobody sends from any more can be deleted there instead.",
      runbook: "email-deliverability",
    },
    {
      check: "sendgrid.reputation",
      status: "unknown",
      title: "Sender reputation: could not check (the API key lacks the user.account.read scope)",
      fix: "give the key the user.account.read scope (SendGrid: Settings > API Keys > Edit API Key > User Account: Read Access), or give the probe a key that has it in targets.mail.apiKey; until then this check cannot see anything.",
      runbook: "email-deliverability",
    },
  ],
};

export const HOSTED_API_FIXTURES = { 'stripe-report': stripeReport, 'openai-report': openaiReport, 'sendgrid-report': sendgridReport };
