// The optional model that narrates a /triage answer: from `triage.model` in the configuration,
// a function that writes a short explanation of the ranked causes, or undefined when no model is
// configured. It never changes the ranking, confidence or buttons, and answers within its own
// time limit with `{ ok: false, reason }` when the model is slow, down or talks nonsense.
//
// One chat completion through the official SDK (loaded on the first narration only), never
// retried, bounded by `triage.model.timeoutMs` and by the caller's signal, whichever ends first;
// its answer is read up to a size and judged (narrate-answer.ts) before it is shown.
import { readdirSync } from 'node:fs';
import type { Config, Target, TriageModelConfig } from '../config/config.ts';
import { allCheckIds } from '../probes/probe-registry.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import { untilDeadline } from '../probes/until-deadline.ts';
import type { TriageResult } from './triage-result.ts';
import { narratorPrompt } from './narrate-prompt.ts';
import { judgeAnswer, type KnownIds } from './narrate-answer.ts';

export type Narrator = (result: Omit<TriageResult, 'narration'>, signal: AbortSignal) => Promise<NonNullable<TriageResult['narration']>>;

/** A completion's body is read up to this size: a few sentences are a few KiB. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Output tokens asked for at most: room for 3-5 sentences (and a reasoning model's thinking). */
const MAX_OUTPUT_TOKENS = 1_000;
/** How long past its own timeout the narrator waits for an SDK that would not stop. */
const SLACK_MS = 250;

/** Where the model is and how to reach it, resolved from the configuration. */
interface Endpoint {
  url: string;
  apiKey: string;
  model: string;
  organization?: string;
  project?: string;
}

/** The narrator `config.triage.model` configures, or undefined. */
export function narratorFor(config: Config, secrets: readonly string[]): Narrator | undefined {
  const settings = config.triage?.model;
  if (!settings) return undefined;
  const endpoint = resolveEndpoint(settings, config.targets);
  const timeoutMs = settings.timeoutMs;
  // The key is a secret wherever it came from (a variable not named like one, too).
  const masked = typeof endpoint === 'string' ? secrets : [...secrets, endpoint.apiKey];
  let known: KnownIds | undefined;
  let client: Promise<ChatClient> | undefined;
  return async (result, signal) => {
    if (typeof endpoint === 'string') return { ok: false, reason: endpoint };
    known ??= knownIds(config.runbooks.dir);
    const prompt = narratorPrompt(result, masked);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const both = AbortSignal.any([signal, controller.signal]);
    const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
    // The caller's budget ending first is said as such: the model was not given its own time.
    const late = () => ({ ok: false as const, reason: signal.aborted ? 'the triage ran out of time before the model answered' : `the model did not answer within ${seconds}` });
    try {
      client ??= openClient(endpoint, timeoutMs);
      const asked = (async () => {
        const chat = await client!;
        const completion = await chat.create(
          {
            model: endpoint.model,
            max_completion_tokens: MAX_OUTPUT_TOKENS,
            messages: [
              { role: 'system', content: prompt.instructions },
              { role: 'user', content: prompt.input },
            ],
          },
          { signal: both, timeout: timeoutMs, maxRetries: 0 },
        );
        return completion;
      })();
      // The SDK's own rejection after the deadline is of no interest any more.
      asked.catch(() => undefined);
      const completion = await untilDeadline(asked, timeoutMs + SLACK_MS, signal);
      if (completion === undefined) return late();
      const choice = (completion as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0];
      if (!choice?.message) return { ok: false, reason: 'the model answered nonsense: not a chat completion (no choices[0].message)' };
      const judged = judgeAnswer(choice.message.content, result, known, masked);
      return judged.ok ? { ok: true, text: judged.text, model: maskSecrets(endpoint.model, masked) } : judged;
    } catch (e) {
      if (controller.signal.aborted || signal.aborted) return late();
      // Loaded with the SDK only: its error classes are the SDK's.
      const { describeModelFailure } = await import('./narrate-failure.ts');
      return { ok: false, reason: maskSecrets(describeModelFailure(e, seconds), masked) };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The endpoint of the settings, or why it cannot be used (a target with a problem of its own). */
function resolveEndpoint(settings: TriageModelConfig, targets: readonly Target[]): Endpoint | string {
  if ('url' in settings) return { url: settings.url, apiKey: settings.apiKey, model: settings.model };
  const target = targets.find((t) => t.name === settings.target);
  if (!target || target.kind !== 'openai') return `the model's target ${settings.target} is not an openai target of the configuration`;
  if (target.configProblem !== undefined) return `the model's target ${target.name} cannot be used: its configuration has a problem (chatops config check)`;
  const model = settings.model ?? (typeof target.model === 'string' ? target.model : undefined);
  if (model === undefined || typeof target.url !== 'string' || typeof target.apiKey !== 'string') return `the model's target ${target.name} names no model, url or key`;
  return {
    url: target.url,
    apiKey: target.apiKey,
    model,
    ...(typeof target.organization === 'string' && { organization: target.organization }),
    ...(typeof target.project === 'string' && { project: target.project }),
  };
}

/** Every runbook id (the file names of the runbooks directory) and every check id, to judge the answer by. */
function knownIds(dir: string): KnownIds {
  let runbooks: string[] = [];
  try {
    runbooks = readdirSync(dir).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md').map((f) => f.slice(0, -3));
  } catch {
    // No directory: the bot refused to start already; nothing to compare with.
  }
  return { runbooks: new Set(runbooks), checks: allCheckIds() };
}

interface ChatClient {
  create(body: Record<string, unknown>, options: { signal: AbortSignal; timeout: number; maxRetries: number }): Promise<unknown>;
}

/** The SDK, loaded here only, taking nothing from the environment (OPENAI_BASE_URL and the like). */
async function openClient(endpoint: Endpoint, timeoutMs: number): Promise<ChatClient> {
  const [{ default: OpenAI }, { cappedFetch }] = await Promise.all([import('openai'), import('../probes/openai/capped-fetch.ts')]);
  // OPENAI_CUSTOM_HEADERS would add headers of the environment's choosing: the configuration decides.
  class NarratorClient extends OpenAI {
    constructor(options: ConstructorParameters<typeof OpenAI>[0]) {
      super(options);
      this._options = { ...this._options, defaultHeaders: undefined };
    }
  }
  const client = new NarratorClient({
    apiKey: endpoint.apiKey,
    baseURL: endpoint.url,
    organization: endpoint.organization ?? null,
    project: endpoint.project ?? null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
    fetch: cappedFetch(MAX_ANSWER_BYTES),
  });
  return { create: (body, options) => client.chat.completions.create(body as never, options) };
}
