// Whether the key is accepted: 401 (a bad or revoked key, an organization or project the key does
// not belong to, an IP address the project does not allow) and 403 (a country or region the API
// does not serve, a key or project without the permission) are critical and never retried; the
// class is read from the error code and message so the fix names the right setting.
import type { Finding, Status } from '../../../report.ts';
import { calls, configKey, finding, type CallFailure, type OpenaiCheckContext } from '../check-context.ts';
import { describeFailure } from '../describe-failure.ts';

type HttpFailure = Extract<CallFailure, { type: 'http' }>;

const NO_RETRY = 'Retrying will not help: the same request gets the same answer until the setting is changed.';

export function checkAuth(ctx: OpenaiCheckContext): Finding[] {
  const results = calls(ctx);
  const refused = results.flatMap((r) => (!r.ok && r.failure.type === 'http' && (r.failure.status === 401 || r.failure.status === 403) ? [r.failure] : []));
  if (refused.length === 0) {
    if (!results.some(vouchesForKey)) {
      const why = results.map((r) => (r.ok ? '' : describeFailure(r.failure, 100))).join('; ');
      return [finding('auth', 'unknown', `Authentication: could not check (${why})`)];
    }
    const scope = [ctx.organization && `organization ${ctx.organization}`, ctx.project && `project ${ctx.project}`].filter(Boolean).join(', ');
    return [finding('auth', 'ok', `The key is accepted${scope ? ` (${scope})` : ''}`)];
  }
  const first = refused[0]!;
  const c = ctx.completion;
  // A restricted key may be refused the model list yet allowed the completions the application makes.
  if (first.status === 403 && first.call === 'GET /models' && refused.length === 1 && classOf(first) === 'permission') {
    const status: Status = c?.ok ? 'ok' : 'warn';
    return [
      finding('auth', status, c?.ok ? 'The key is accepted for chat completions; it may not list models' : 'The key may not list models (HTTP 403): the probe cannot see whether it may do more', {
        detail: describeFailure(first),
        ...(status !== 'ok' && {
          fix: `give the key the Models: Read permission (OpenAI dashboard: API keys > the key > Permissions), or set ${configKey(ctx, 'model')} so the probe checks the completion the application makes.`,
        }),
      }),
    ];
  }
  return [refusedFinding(ctx, first, refused.slice(1))];
}

/**
 * An answer only an API that checked the key gives: a completion or a model list, or OpenAI's error
 * envelope for a request judged after the key (a bad parameter, an unknown model, a rate limit).
 * A proxy's page, a web server's 404 or 405, a 5xx or no answer say nothing about the key.
 */
function vouchesForKey(r: ReturnType<typeof calls>[number]): boolean {
  if (r.ok) return true;
  const f = r.failure;
  return f.type === 'http' && [400, 404, 409, 422, 429].includes(f.status) && (f.code !== undefined || f.errorType !== undefined);
}

type RefusalClass = 'key' | 'organization' | 'project' | 'ip' | 'region' | 'permission' | 'other';

/** OpenAI's codes, where the provider sends one; the message decides otherwise. */
const CLASS_OF_CODE: Record<string, RefusalClass> = {
  unsupported_country_region_territory: 'region',
  invalid_api_key: 'key',
  invalid_organization: 'organization',
  no_organization: 'organization',
  mismatched_organization: 'organization',
  mismatched_project: 'project',
  ip_not_authorized: 'ip',
};

function classOf(f: HttpFailure): RefusalClass {
  const code = (f.code ?? '').toLowerCase();
  if (Object.hasOwn(CLASS_OF_CODE, code)) return CLASS_OF_CODE[code]!;
  const text = f.message.toLowerCase();
  // Not "region" alone: Azure's refused key asks for "a correct regional API endpoint".
  if (/\bcountry\b|\bterritory\b/.test(text)) return 'region';
  if (/incorrect api key|invalid api key|api key (?:provided|is invalid)|invalid subscription key|revoked/.test(text)) return 'key';
  if (/\bip\b|ip address|allowlist|allow list/.test(text)) return 'ip';
  if (/organi[sz]ation/.test(text)) return 'organization';
  if (/project/.test(text)) return 'project';
  if (f.status === 403 || /permission|scope|not allowed|insufficient/.test(text)) return 'permission';
  return f.status === 401 ? 'key' : 'other';
}

function refusedFinding(ctx: OpenaiCheckContext, f: HttpFailure, others: HttpFailure[]): Finding {
  const keyKey = configKey(ctx, 'apiKey');
  const cls = classOf(f);
  // "HTTP 401, invalid_api_key"; a code that only repeats the status (Azure's "401") or none: "HTTP 401".
  const word = [f.code, f.errorType].find((w) => w !== undefined && w !== String(f.status));
  const label = word === undefined ? `HTTP ${f.status}` : `HTTP ${f.status}, ${word}`;
  const words: Record<RefusalClass, { title: string; fix: string }> = {
    key: {
      title: `API key refused (${label})`,
      fix: `the key is wrong, revoked or from another provider: create a key in the provider's console (platform.openai.com/api-keys for OpenAI), put it into the secret behind ${keyKey}, and roll it out to the applications that use the same key. ${NO_RETRY}`,
    },
    organization: {
      title: `Organization refused (${label})${ctx.organization ? `: ${ctx.organization}` : ''}`,
      fix: `the key does not belong to the organization sent in the OpenAI-Organization header: set ${configKey(ctx, 'organization')} to the organization id (org-...) shown under Settings > Organization for the key's owner, or remove it to use the key's default. ${NO_RETRY}`,
    },
    project: {
      title: `Project refused (${label})${ctx.project ? `: ${ctx.project}` : ''}`,
      fix: `the key is not valid for the project sent in the OpenAI-Project header: set ${configKey(ctx, 'project')} to the key's project id (proj_...), or remove it; project keys only work in their own project. ${NO_RETRY}`,
    },
    ip: {
      title: `Request refused from this IP address (${label})`,
      fix: `the project allows calls only from listed IP addresses: add the egress address of the bot (and of the applications) to the allow list (OpenAI dashboard: Settings > Project > IP allowlist or the organization's security settings), or call from an allowed network. ${NO_RETRY}`,
    },
    region: {
      title: `Requests from this country or region are refused (${label})`,
      fix: `the API does not serve the country the request comes from (the server's egress IP decides, not the account): route the calls through infrastructure in a supported region, or use the model through a provider available there (for example Azure OpenAI). ${NO_RETRY}`,
    },
    permission: {
      title: `The key lacks permission (${label}, ${f.call})`,
      fix: `a restricted key or a project role without the right: give the key the permissions the calls need (Models: Read, Model capabilities: Write) under API keys > the key > Permissions, or use a key of a project that may use the model${ctx.model ? ` ${ctx.model}` : ''}. ${NO_RETRY}`,
    },
    other: {
      title: `Access refused (${label}, ${f.call})`,
      fix: `read the provider's message above; check the key (${keyKey}), the organization and project headers, and the project's settings. ${NO_RETRY}`,
    },
  };
  const w = words[cls];
  return finding('auth', 'crit', w.title, {
    detail: [f, ...others].map((x) => describeFailure(x)).join('\n'),
    fix: w.fix,
    metrics: { status: f.status },
  });
}
