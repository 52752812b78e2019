// A local server speaking OpenAI's wire format for the openai probe tests: GET /v1/models (a list
// object), POST /v1/chat/completions (a chat.completion object, or OpenAI's error envelope
// {error: {message, type, param, code}} with the status OpenAI uses), the x-request-id and
// x-ratelimit-* headers. It checks Authorization: Bearer and the OpenAI-Organization /
// OpenAI-Project headers as OpenAI does, and records every request with its JSON body. A test
// overrides a route to make it fail, hang, or answer garbage.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is (with a text/html or the given content-type); anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

export type Handler = (req: SeenRequest, fake: FakeOpenAI) => FakeAnswer | undefined;

export const TEST_KEY = 'sk-proj-Tq7wLx9Vb2Kd4Rm8Pz6Hn3Jc5Fs1Gy0AeUiOoEw';

/** OpenAI's error envelope. */
export function apiError(status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): FakeAnswer {
  return { status, headers, body: { error: { message, type, param, code } } };
}

/** The headers OpenAI sends with a completion: plenty left, resets in milliseconds. */
export function openaiRateLimitHeaders(over: Partial<Record<'limitRequests' | 'limitTokens' | 'remainingRequests' | 'remainingTokens' | 'resetRequests' | 'resetTokens', string>> = {}): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': over.limitRequests ?? '5000',
    'x-ratelimit-limit-tokens': over.limitTokens ?? '4000000',
    'x-ratelimit-remaining-requests': over.remainingRequests ?? '4999',
    'x-ratelimit-remaining-tokens': over.remainingTokens ?? '3999990',
    'x-ratelimit-reset-requests': over.resetRequests ?? '12ms',
    'x-ratelimit-reset-tokens': over.resetTokens ?? '0s',
  };
}

export class FakeOpenAI {
  readonly requests: SeenRequest[] = [];
  /** The key it accepts. */
  key = TEST_KEY;
  /** Organizations and projects the key belongs to; a header naming another is refused. */
  organizations = ['org-acme'];
  projects = ['proj_chatbot'];
  models = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'o3-mini', 'text-embedding-3-small'];
  /** Models that refuse max_tokens, as OpenAI's reasoning models do. */
  newModels = new Set(['o3-mini']);
  /** Headers of every completion; replace to test headroom. */
  rateLimitHeaders: Record<string, string> = openaiRateLimitHeaders();
  /** Overrides by route ('GET /v1/models', 'POST /v1/chat/completions'); undefined falls through to the default. */
  readonly overrides = new Map<string, Handler>();
  url = '';
  readonly #server: http.Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  #ids = 0;

  private constructor() {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
  }

  static async start(): Promise<FakeOpenAI> {
    const fake = new FakeOpenAI();
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}/v1`;
    return fake;
  }

  on(route: 'GET /v1/models' | 'POST /v1/chat/completions', handler: Handler | FakeAnswer): void {
    this.overrides.set(route, typeof handler === 'function' ? handler : () => handler);
  }

  completions(): SeenRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const seen: SeenRequest = { method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://x').pathname, headers: req.headers, body };
      this.requests.push(seen);
      const answer = this.overrides.get(`${seen.method} ${seen.path}`)?.(seen, this) ?? this.#default(seen);
      const send = () => {
        if (res.destroyed) return;
        const requestId = `req_${(++this.#ids).toString(16).padStart(32, '0')}`;
        const isText = typeof answer.body === 'string';
        res.writeHead(answer.status ?? 200, {
          'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
          'x-request-id': requestId,
          'openai-version': '2020-10-01',
          'openai-processing-ms': '187',
          ...answer.headers,
        });
        res.end(answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body));
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          send();
        }, answer.delayMs);
        this.#timers.add(timer);
      } else send();
    });
  }

  /** What OpenAI answers: the same checks in the same order (key, organization, project, then the route). */
  #default(req: SeenRequest): FakeAnswer {
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.key}`) {
      const given = (auth ?? '').replace(/^Bearer\s+/, '');
      // OpenAI shows the first and last characters of a wrong key, never all of it.
      const shown = given.length > 8 ? `${given.slice(0, 3)}${'*'.repeat(given.length - 7)}${given.slice(-4)}` : given;
      return apiError(401, `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
    }
    const org = req.headers['openai-organization'];
    if (typeof org === 'string' && !this.organizations.includes(org)) {
      return apiError(401, `No such organization: ${org}.`, 'invalid_request_error', 'invalid_organization');
    }
    const project = req.headers['openai-project'];
    if (typeof project === 'string' && !this.projects.includes(project)) {
      return apiError(401, 'OpenAI-Project header should match project for API key', 'invalid_request_error', 'mismatched_project');
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      return {
        body: {
          object: 'list',
          data: this.models.map((id, i) => ({ id, object: 'model', created: 1_715_367_049 + i, owned_by: id.startsWith('text-') ? 'openai-internal' : 'system' })),
        },
      };
    }
    if (req.method === 'POST' && req.path === '/v1/chat/completions') {
      const model = String(req.body?.model ?? '');
      if (!this.models.includes(model)) {
        return apiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
      }
      if (this.newModels.has(model) && req.body?.max_tokens !== undefined) {
        return apiError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'invalid_request_error', 'unsupported_parameter', 'max_tokens');
      }
      return {
        headers: this.rateLimitHeaders,
        body: {
          id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: `${model}-2024-07-18`,
          choices: [{ index: 0, message: { role: 'assistant', content: 'OK', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'length' }],
          usage: { prompt_tokens: 11, completion_tokens: 1, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
          service_tier: 'default',
          system_fingerprint: 'fp_44709d6fcb',
        },
      };
    }
    return apiError(404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null);
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** `fake()` for one test file: a started FakeOpenAI, closed after each test. */
export function useFakeOpenAI(): () => Promise<FakeOpenAI> {
  const started: FakeOpenAI[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  return async () => {
    const s = await FakeOpenAI.start();
    started.push(s);
    return s;
  };
}
