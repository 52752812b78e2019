// Presses a button of the bot the way Slack sends it: a signed block_actions payload whose value
// the bot signed (the test bots keep their signing key in the shared test database, as a bot with
// no CHATOPS_SIGNING_KEYS does). Tests use this one entry point for every press, so that how a
// button value is made and confirmed lives in one place.
import pg from 'pg';
import { inject } from 'vitest';
import { findAction } from '../../src/actions/action-catalogue.ts';
import { storedKeyRing } from '../../src/security/signing-keys.ts';
import { ValueSigner } from '../../src/security/value-signer.ts';
import { signedIntentOf } from '../../src/slack/interactions/interaction-registry.ts';
import type { RecordedCall } from './fake-slack-api.ts';
import { blockActionBody } from './signed-slack-request.ts';
import type { HttpTestBot } from './test-bot.ts';

/** The nonce of "the report message" the tests press buttons on (its ts is 1700000001.000100). */
export const TEST_MESSAGE_NONCE = 'm1700000001000100';

export interface PressOptions {
  /** The block action id; default `remedy:<action>` for a remedy value, else required. */
  actionId?: string;
  userId?: string;
  /** The response_url id the fake Slack API records the bot's answers under. */
  responseId?: string;
  channelId?: string;
  /** The message the button is on: its nonce (signed) and ts. */
  nonce?: string;
  messageTs?: string;
  /** Destructive actions: press "Run it" on the bot's confirmation (default true). */
  confirm?: boolean;
  /** Extra request headers of the press itself (a Slack retry: `x-slack-retry-num`). */
  headers?: Record<string, string>;
}

/** A remedy as a report's button carries it. */
export interface RemedyValue {
  action: string;
  params: Record<string, unknown>;
  target: string;
}

let signer: Promise<ValueSigner> | undefined;
/** Confirmation prompts already pressed by this file's presses. */
const takenPrompts = new Set<string>();

/** A signer with the test bots' own key (from the state store; created there if no bot has started yet). */
export function botSigner(): Promise<ValueSigner> {
  signer ??= (async () => {
    const pool = new pg.Pool({ connectionString: inject('pgUrl'), max: 1 });
    pool.on('error', () => undefined);
    const { migrate } = await import('../../src/store/migrate.ts');
    const { silentLogger } = await import('../../src/logger.ts');
    await migrate(pool, silentLogger());
    const ring = await storedKeyRing(pool);
    ring.close?.();
    const key = ring.current();
    await pool.end();
    return new ValueSigner({ current: () => key, find: async (id) => (id === key.id ? key : undefined) });
  })();
  return signer;
}

/** A value as the bot would have signed it into a button with this action id. */
export async function signAsBot(actionId: string, raw: string, nonce = TEST_MESSAGE_NONCE, ttlMs = 3600_000): Promise<string> {
  return (await botSigner()).sign(signedIntentOf(actionId), raw, { nonce, ttlMs });
}

/** Presses a button with this raw value, signed by the bot. */
export async function pressButton(t: HttpTestBot, actionId: string, raw: string, options: PressOptions = {}): Promise<Response> {
  return await t.send(
    blockActionBody({
      actionId,
      value: await signAsBot(actionId, raw, options.nonce),
      responseUrl: t.slack.responseUrl(options.responseId ?? 'p'),
      ...(options.userId && { userId: options.userId }),
      ...(options.channelId && { channelId: options.channelId }),
      ...(options.messageTs && { messageTs: options.messageTs }),
    }),
    options.headers,
  );
}

/**
 * The bot's private confirmation prompt ("Run it / Cancel") for `user` among these calls, if any:
 * posted with chat.postEphemeral to the presser (or, where the bot cannot post, to the press's
 * response_url).
 */
export function confirmationPrompt(calls: readonly RecordedCall[], responseId: string, user = 'U0ALICE'): { run: string; cancel: string } | undefined {
  for (const c of calls) {
    const toPresser = c.method === 'chat.postEphemeral' && c.args.user === user;
    if (!toPresser && !(c.method === 'respond' && c.responseId === responseId)) continue;
    const blocks = (c.args.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>;
    const buttons = blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
    const run = buttons.find((e) => e.action_id === 'confirm:run')?.value;
    const cancel = buttons.find((e) => e.action_id === 'confirm:cancel')?.value;
    if (run && cancel) return { run, cancel };
  }
  return undefined;
}

/** The bot's answers to a press (refusals, duplicates), without its confirmation prompts and their replacements. */
export function answers(t: HttpTestBot): RecordedCall[] {
  return t.slack.callsTo('respond').filter((c) => !isPromptTraffic(c));
}

function isPromptTraffic(c: RecordedCall): boolean {
  const text = JSON.stringify(c.args);
  return text.includes('"confirm:run"') || (c.args.replace_original === true && /^(:white_check_mark: Confirmed:|Cancelled:)/.test(String(c.args.text)));
}

/**
 * Presses a remedy button with this value, signed by the bot. A destructive action is then
 * confirmed the way a person does it: the bot's private prompt is awaited and its "Run it" pressed
 * (unless `confirm: false`, or the bot answered with a refusal instead).
 */
export async function pressRemedy(t: HttpTestBot, value: RemedyValue, options: PressOptions = {}): Promise<Response> {
  const responseId = options.responseId ?? 'p';
  const actionId = options.actionId ?? `remedy:${value.action}`;
  const before = t.slack.calls.length;
  const res = await pressButton(t, actionId, JSON.stringify(value), { ...options, responseId });
  const spec = findAction(value.action);
  if (res.status !== 200 || options.confirm === false || !spec?.destructive || spec.input) return res;
  // The prompt, or any other answer to this press (a refusal, a denial). Presses of one user at
  // once each take a prompt of their own.
  const user = options.userId ?? 'U0ALICE';
  const untaken = (calls: readonly RecordedCall[]) => calls.filter((c) => { const p = confirmationPrompt([c], responseId, user); return p !== undefined && !takenPrompts.has(p.run); });
  await t.slack.waitFor((calls) => calls.slice(before).some((c) => (c.method === 'respond' && c.responseId === responseId)) || untaken(calls.slice(before)).length > 0);
  const [mine] = untaken(t.slack.calls.slice(before));
  const prompt = mine && confirmationPrompt([mine], responseId, user);
  if (!prompt) return res;
  takenPrompts.add(prompt.run);
  return await t.send(
    blockActionBody({
      actionId: 'confirm:run',
      value: prompt.run,
      responseUrl: t.slack.responseUrl(responseId),
      ...(options.userId && { userId: options.userId }),
      ...(options.channelId && { channelId: options.channelId }),
      ...(options.messageTs && { messageTs: options.messageTs }),
    }),
  );
}
