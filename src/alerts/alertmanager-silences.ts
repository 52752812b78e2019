// Silences through Alertmanager's API v2: POST /api/v2/silences creates one (answering
// {silenceID}), DELETE /api/v2/silence/{id} expires it. The target's URL and headers are the
// alertmanager probe's own; anything Alertmanager answers is masked with the target's secrets
// (and the bot's) before it reaches a person, and cut.
import type { ApiTarget } from '../probes/http/api-target.ts';
import { targetSecrets } from '../probes/http/secrets.ts';
import { maskSecrets } from '../security/mask-secrets.ts';

const TIMEOUT_MS = 10_000;
const ANSWER_CHARS = 300;

/** An equality matcher on one label, as Alertmanager's API v2 takes it. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: false;
  isEqual: true;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

/** What went wrong, in a sentence for the presser (masked, cut). */
export class SilenceError extends Error {}

export class AlertmanagerSilences {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  readonly #name: string;

  constructor(name: string, target: Pick<ApiTarget, 'url' | 'headers'>, secrets: readonly string[] = []) {
    this.#name = name;
    this.#base = target.url.replace(/\/+$/, '');
    this.#headers = target.headers ?? {};
    this.#secrets = [...targetSecrets(target.url, target.headers), ...secrets];
  }

  /** Creates the silence; its id. */
  async create(s: NewSilence): Promise<string> {
    const body = { matchers: s.matchers, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), createdBy: s.createdBy, comment: s.comment };
    const answer = await this.#call('POST', '/api/v2/silences', body);
    const id = (answer as { silenceID?: unknown } | null)?.silenceID;
    if (typeof id !== 'string' || id === '') throw new SilenceError(`${this.#name} answered POST /api/v2/silences without a silenceID`);
    return id;
  }

  /**
   * Expires the silence. One Alertmanager no longer knows (404), or that was expired meanwhile in
   * its own UI (500 "already expired"), counts as expired: it silences nothing either way.
   */
  async expire(id: string): Promise<void> {
    await this.#call('DELETE', `/api/v2/silence/${encodeURIComponent(id)}`, undefined, (status, text) => status === 404 || (status === 500 && /already expired/i.test(text)));
  }

  async #call(method: string, path: string, body: unknown, fine: (status: number, text: string) => boolean = () => false): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers: { ...this.#headers, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new SilenceError(`${this.#name} is unreachable (${this.#mask(String(why))})`);
    }
    const text = await res.text().catch(() => '');
    if (res.ok || fine(res.status, text)) {
      try {
        return text === '' ? null : JSON.parse(text);
      } catch {
        return null;
      }
    }
    const said = text.trim() === '' ? '' : `: ${this.#mask(text.replace(/\s+/g, ' ').trim())}`;
    const hint = res.status === 401 || res.status === 403 ? ' (check the headers of the target)' : '';
    throw new SilenceError(`${this.#name} answered ${method} ${path.split('/').slice(0, 4).join('/')} with HTTP ${res.status}${said}${hint}`);
  }

  #mask(text: string): string {
    const masked = maskSecrets(text, this.#secrets);
    return masked.length > ANSWER_CHARS ? `${masked.slice(0, ANSWER_CHARS - 1)}…` : masked;
  }
}
