// GET /models: the API answers this key without spending a token. Latency and the request id go
// in the finding; no answer (refused, DNS, TLS, timeout, a proxy's page) is critical, unless the
// completion answered (a slow list is then a warning). With a model configured, a model the list
// does not offer to this key is a warning; the listed ids it names are the server's text, quoted
// on one line.
import type { Finding } from '../../../report.ts';
import { formatCount, formatMs } from '../../format.ts';
import { snippet } from '../../http/probe-support.ts';
import { configKey, finding, type CallFailure, type OpenaiCheckContext } from '../check-context.ts';
import { describeFailure, requestIdWords } from '../describe-failure.ts';

/** At most this many listed ids are named as near the configured model. */
const NEAR_MODELS = 5;
/** A listed id (the server's text) is quoted up to this many characters, on one line. */
const ID_CHARS = 80;

export function checkConnectivity(ctx: OpenaiCheckContext): Finding[] {
  const m = ctx.models;
  if (!m.ok) return [failed(ctx, m.failure)];
  const { answer, ids } = m;
  const metrics = { latency_ms: answer.ms, models: ids.length };
  const where = `${ctx.endpoint || 'the API'}`;
  const listed = `${formatCount(ids.length)} model${ids.length === 1 ? '' : 's'} listed in ${formatMs(answer.ms)}${requestIdWords(answer.requestId)}`;
  if (ctx.model === undefined || ids.includes(ctx.model)) {
    const offered = ctx.model === undefined ? '' : `, model ${ctx.model} offered`;
    return [finding('connectivity', 'ok', `Connected to ${where}: ${listed}${offered}`, { metrics })];
  }
  const c = ctx.completion;
  if (c?.ok) {
    // Some servers answer for names they do not list (aliases, Azure deployment names).
    return [finding('connectivity', 'ok', `Connected to ${where}: ${listed}; model ${ctx.model} is not listed, but it answered a completion`, { metrics })];
  }
  const near = nearModels(ctx.model, ids);
  return [
    finding('connectivity', 'warn', `The configured model ${ctx.model} is not offered to this key (${where}: ${listed})`, {
      detail: [
        near.length ? `Listed models with a similar name: ${near.map((id) => snippet(id.replace(/\p{Cf}/gu, ''), ID_CHARS)).join(', ')}` : undefined,
        c && !c.ok ? `The completion with it: ${describeFailure(c.failure)}` : undefined,
      ].filter(Boolean).join('\n') || undefined,
      fix: `set ${configKey(ctx, 'model')} to the model the application really uses (the exact id GET /models lists), or give this key's project access to ${ctx.model} (OpenAI dashboard: Settings > Project > Limits > model access). A retired or misspelt model fails every request the application makes with it.`,
      metrics,
    }),
  ];
}

function failed(ctx: OpenaiCheckContext, f: CallFailure): Finding {
  const urlKey = configKey(ctx, 'url');
  const where = ctx.endpoint || 'the API';
  switch (f.type) {
    case 'cancelled':
      return finding('connectivity', 'unknown', 'Not checked: the probe was cancelled before the API answered');
    case 'timeout':
      if (ctx.completion?.ok) {
        // The API answered the call the application makes: a slow model list is not an outage.
        return finding('connectivity', 'warn', `GET /models did not answer within ${f.timeoutMs} ms, while the completion did (${where})`, {
          fix: 'look at the provider\'s status page and run the probe again; the completions the application makes answered, so this is a slow model list, not an outage.',
        });
      }
      return finding('connectivity', 'crit', `No answer from ${where} within ${f.timeoutMs} ms (GET /models)`, {
        fix: 'look at the provider\'s status page (status.openai.com for OpenAI) and at the network path from where the bot runs (proxy, firewall, DNS); the applications calling it need a timeout of their own and a fallback while it does not answer.',
      });
    case 'network':
      if (f.kind === 'DNS' && (f.code === 'ENOTFOUND' || f.code === 'EAI_NONAME')) {
        return finding('connectivity', 'unknown', `Host name in ${urlKey} does not resolve (${f.code})`, {
          detail: describeFailure(f),
          fix: `check the host in ${urlKey} (a typo, a name that only resolves elsewhere) and DNS from where the bot runs; nothing was checked on the server.`,
          config: true,
        });
      }
      return finding('connectivity', 'crit', `Cannot reach ${where}: ${f.kind} (GET /models)`, {
        detail: describeFailure(f),
        fix: `${f.fix} The base URL is ${urlKey}.`,
      });
    case 'malformed':
      return finding('connectivity', 'crit', `${where} answered, but not with the API's JSON: ${describeFailure(f, 120)}`, {
        fix: `something other than the API answers at ${urlKey}: a proxy or gateway error page, a captive portal, or a URL that serves a web site. Check the URL (it must end with the version path, such as /v1) and any HTTPS_PROXY between the bot and the provider.`,
      });
    case 'http':
      if (f.status === 404) {
        return finding('connectivity', 'unknown', `${where} has no /models (HTTP 404): the base URL looks wrong`, {
          detail: describeFailure(f),
          fix: `set ${urlKey} to the API's base URL with its version path: https://api.openai.com/v1 for OpenAI, https://<resource>.openai.azure.com/openai/v1 for Azure, https://openrouter.ai/api/v1 for OpenRouter, http://host:port/v1 for a local server.`,
          config: true,
        });
      }
      if (f.status === 403 && ctx.completion?.ok) {
        // A restricted key without Models: Read: the API answered, and the completion the application makes works.
        return finding('connectivity', 'ok', `Connected to ${where}: the key may not list models (HTTP 403), but the completion answered in ${formatMs(ctx.completion.answer.ms)}`, {
          detail: describeFailure(f),
          metrics: { latency_ms: f.ms },
        });
      }
      return finding('connectivity', 'crit', `GET /models failed: ${describeFailure(f)}`, {
        fix: 'the API answered but refused to list models; read the message above, and the provider\'s status page when it is a server error.',
      });
  }
}

/** Listed ids sharing the configured model's first word (gpt-4o for gpt-4o-mni). */
function nearModels(model: string, ids: readonly string[]): string[] {
  const stem = model.toLowerCase().split(/[-_:/.]/).filter(Boolean).slice(0, 2).join('-');
  if (!stem) return [];
  return ids.filter((id) => id.toLowerCase().replace(/[_:/.]/g, '-').startsWith(stem)).sort().slice(0, NEAR_MODELS);
}
