// The interaction registry: declarations checked against each other at start, and every intent the
// bot offers through the whole way a button goes (encode, render, sign, verify, decode), with the
// TTL and the refusals of values the bot did not offer.
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/actions/action-catalogue.ts';
import type { Intent, IntentName } from '../../src/message/intent.ts';
import type { Message } from '../../src/message/message.ts';
import type { RunbookIndex } from '../../src/runbooks/load-runbooks.ts';
import { ValueSigner } from '../../src/security/value-signer.ts';
import { staticKeyRing } from '../../src/security/signing-keys.ts';
import { BOT_INTERACTIONS } from '../../src/slack/interactions/bot-interactions.ts';
import { createInteractionRegistry, InteractionRegistry, signedIntentOf } from '../../src/slack/interactions/interaction-registry.ts';
import type { DialogInteraction, InteractionFamily } from '../../src/slack/interactions/interaction.ts';
import { DIGEST_INTERACTIONS } from '../../src/slack/interactions/digest-interactions.ts';
import { DECLARE_DIALOG, INCIDENT_INTERACTIONS } from '../../src/slack/interactions/incident-interactions.ts';
import { REMEDY_INPUT_DIALOG, REMEDY_INTERACTIONS } from '../../src/slack/interactions/remedy-interactions.ts';
import { RUNBOOK_INTERACTIONS } from '../../src/slack/interactions/runbook-interactions.ts';
import { RUNBOOK_CHECKS_INTERACTIONS } from '../../src/slack/interactions/runbook-checks-interactions.ts';
import { TRIAGE_INTERACTIONS } from '../../src/slack/interactions/triage-interactions.ts';
import { ALERT_VOTE_INTERACTIONS } from '../../src/slack/interactions/alert-vote-interactions.ts';
import { ALERT_SILENCE_INTERACTIONS } from '../../src/slack/interactions/alert-silence-interactions.ts';
import { sealMessage, sealView } from '../../src/slack/seal-message.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-01T12:00:00Z');
let now = NOW;
const signer = new ValueSigner(staticKeyRing([{ id: 'k1', secret: Buffer.alloc(32, 3) }]), () => now);
const context = { runbooks: { byId: new Map([['postgres-locks', {}]]) } as unknown as RunbookIndex };

/** Intents of every name, as the bot puts them on buttons; the record's type asks for each name. */
const SAMPLES: Record<IntentName, Intent[]> = {
  remedy: [
    { intent: 'remedy', action: 'postgres.terminate_backend', params: { pid: 4242 }, target: 'main-db' },
    { intent: 'remedy', action: 'k8s.restart', params: { namespace: 'shop', workload: 'deployment', name: 'api', replicas: 3 }, target: 'prod' },
  ],
  'runbook.open': [{ intent: 'runbook.open', runbook: 'postgres-locks' }],
  'runbook.checks': [{ intent: 'runbook.checks', runbook: 'postgres-locks' }],
  'incident.declare': [{ intent: 'incident.declare', title: 'prod: api down', report: { target: 'prod', kind: 'kubernetes', status: 'crit', startedAt: '2026-12-01T11:59:00.000Z', findings: [{ check: 'k8s.pods', status: 'crit', title: '3 pods crash-looping' }] } }],
  'incident.ack': [{ intent: 'incident.ack', incident: 7 }],
  'incident.escalate': [{ intent: 'incident.escalate', incident: 7 }],
  'incident.resolve': [{ intent: 'incident.resolve', incident: 9_007_199_254 }],
  'digest.details': [{ intent: 'digest.details', report: 123 }],
  'confirm.run': [{ intent: 'confirm.run', confirmation: 'AbCdEfGhIjKlMnOp' }],
  'confirm.cancel': [{ intent: 'confirm.cancel', confirmation: 'AbCdEfGhIjKlMnOp' }],
  'triage.explain': [{ intent: 'triage.explain', report: { target: 'main-db', kind: 'postgres', findings: [{ check: 'postgres.blocking_locks', status: 'crit', title: 'pid 4242 blocks 3 sessions', merged: ['postgres.idle_in_transaction'] }], ok: ['postgres.deadlocks'] } }],
  'alert.useful': [{ intent: 'alert.useful', group: 42, episode: 3 }],
  'alert.noise': [{ intent: 'alert.noise', group: 9_007_199_254, episode: 1 }],
  'alert.silence': [{ intent: 'alert.silence', group: 42, episode: 3, minutes: 60 }, { intent: 'alert.silence', group: 42, episode: 3, minutes: 0 }],
  'alert.unsilence': [{ intent: 'alert.unsilence', group: 42, silence: '9f0c2b1e-4d5a-4b6c-8e7f-0a1b2c3d4e5f' }],
};
const ALL = Object.values(SAMPLES).flat();

/** What each family of buttons lives for, from the README's security model. */
const TTL: Record<IntentName, number> = {
  remedy: DAY,
  'runbook.open': 31 * DAY,
  'runbook.checks': 31 * DAY,
  'incident.declare': DAY,
  'incident.ack': 7 * DAY,
  'incident.escalate': 7 * DAY,
  'incident.resolve': 7 * DAY,
  'digest.details': 31 * DAY,
  'confirm.run': 10 * 60_000,
  'confirm.cancel': 10 * 60_000,
  'triage.explain': DAY,
  'alert.useful': 14 * DAY,
  'alert.noise': 14 * DAY,
  'alert.silence': 7 * DAY,
  'alert.unsilence': 8 * DAY,
};

/** One message with a button for each intent, sealed as the bot sends it. */
function sealed(intents: readonly Intent[]): Array<{ action_id: string; value: string }> {
  const message: Message = { notification: [{ type: 'text', text: 'buttons' }], blocks: intents.map((intent, i) => ({ type: 'actions', buttons: [{ label: `b${i}`, intent }] })) };
  const out = sealMessage(message, signer);
  return (out.blocks ?? []).flatMap((b) => (b.type === 'actions' && 'elements' in b ? (b.elements as Array<{ action_id: string; value: string }>) : []));
}

describe('the interaction registry', () => {
  const dialogs = [REMEDY_INPUT_DIALOG, DECLARE_DIALOG];
  const families = [REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, RUNBOOK_CHECKS_INTERACTIONS, INCIDENT_INTERACTIONS, DIGEST_INTERACTIONS, TRIAGE_INTERACTIONS, ALERT_VOTE_INTERACTIONS, ALERT_SILENCE_INTERACTIONS] as const;

  it('accepts the bot\'s own declarations: one listener per intent, each dialog once', () => {
    expect(() => createInteractionRegistry(families, dialogs)).not.toThrow();
    expect(BOT_INTERACTIONS.buttons().map((b) => b.intent).sort()).toEqual(Object.keys(SAMPLES).sort());
    expect(BOT_INTERACTIONS.dialogs().map((d) => d.callbackId).sort()).toEqual(['incident-declare', 'remedy-input']);
  });

  it('refuses an intent declared twice, naming it', () => {
    const again: InteractionFamily = { 'digest.details': DIGEST_INTERACTIONS['digest.details'] };
    expect(() => new InteractionRegistry([...families, again], dialogs)).toThrowError('intent "digest.details" is declared twice');
  });

  it('refuses two intents on one action id, and a family prefix that covers another\'s id', () => {
    const clash: InteractionFamily = { 'incident.ack': { ...INCIDENT_INTERACTIONS['incident.ack'], actionId: 'incident:resolve' } };
    const { 'incident.ack': _ack, ...rest } = INCIDENT_INTERACTIONS;
    expect(() => new InteractionRegistry([REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, rest, clash, DIGEST_INTERACTIONS], dialogs))
      .toThrowError('intents "incident.resolve" and "incident.ack" both use action id "incident:resolve"');
    const covered: InteractionFamily = { 'digest.details': { ...DIGEST_INTERACTIONS['digest.details'], actionId: 'remedy:digest' } };
    expect(() => new InteractionRegistry([REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, INCIDENT_INTERACTIONS, covered], dialogs))
      .toThrowError('intents "remedy" and "digest.details" both use action id "remedy:digest" (or one\'s prefix covers the other)');
  });

  it('refuses a dialog callback id declared twice, and a declaration filed under another intent\'s name', () => {
    const twice: DialogInteraction = { ...DECLARE_DIALOG };
    expect(() => new InteractionRegistry(families, [...dialogs, twice])).toThrowError('dialog callback id "incident-declare" is declared twice');
    const misfiled = { 'incident.ack': INCIDENT_INTERACTIONS['incident.resolve'] } as unknown as InteractionFamily;
    const { 'incident.ack': _ack, ...rest } = INCIDENT_INTERACTIONS;
    expect(() => new InteractionRegistry([REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, rest, misfiled, DIGEST_INTERACTIONS], dialogs))
      .toThrowError('the declaration under "incident.ack" is for intent "incident.resolve"');
  });

  it('refuses a list of families that leaves an intent out: at start, and as a type error', () => {
    const { 'digest.details': _details, ...noDigest } = { ...DIGEST_INTERACTIONS };
    expect(() => new InteractionRegistry([REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, RUNBOOK_CHECKS_INTERACTIONS, INCIDENT_INTERACTIONS, noDigest, TRIAGE_INTERACTIONS, ALERT_VOTE_INTERACTIONS, ALERT_SILENCE_INTERACTIONS], dialogs))
      .toThrowError('no declaration for intent "digest.details"');
    // @ts-expect-error -- the families must declare every intent of src/message/intent.ts
    expect(() => createInteractionRegistry([REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, RUNBOOK_CHECKS_INTERACTIONS, INCIDENT_INTERACTIONS, TRIAGE_INTERACTIONS, ALERT_VOTE_INTERACTIONS, ALERT_SILENCE_INTERACTIONS] as const, dialogs)).toThrowError('no declaration for intent "digest.details"');
  });
});

describe('every intent through encode, sign, verify and decode', () => {
  it.each(ALL.map((intent) => [intent.intent, intent] as const))('%s comes back as the intent it was, signed for as long as its family lives', async (_name, intent) => {
    now = NOW;
    const [button] = sealed([intent]);
    expect(button).toBeDefined();
    expect(button!.action_id).toBe(BOT_INTERACTIONS.encode(intent).actionId);
    const verdict = await signer.verify(signedIntentOf(button!.action_id), button!.value);
    if (!verdict.ok) throw new Error(`not verified: ${verdict.reason}`);
    const ttl = intent.intent === 'remedy' && intent.action === 'postgres.terminate_backend' ? HOUR : TTL[intent.intent];
    expect(verdict.expiresAt.getTime() - NOW).toBeGreaterThanOrEqual(ttl);
    expect(verdict.expiresAt.getTime() - NOW).toBeLessThan(ttl + 1000);
    expect(BOT_INTERACTIONS.decode(button!.action_id, verdict.raw, context)).toEqual({ ok: true, intent });
  });

  it('repeats of one intent in a block (`:2`) decode as that intent, under the same signature intent', async () => {
    now = NOW;
    const message: Message = { notification: [], blocks: [{ type: 'actions', buttons: SAMPLES.remedy.slice(0, 1).concat(SAMPLES.remedy.slice(0, 1)).map((intent) => ({ label: 'x', intent })) }] };
    const buttons = (sealMessage(message, signer).blocks ?? []).flatMap((b) => ('elements' in b ? (b.elements as Array<{ action_id: string; value: string }>) : []));
    expect(buttons.map((b) => b.action_id)).toEqual(['remedy:postgres.terminate_backend', 'remedy:postgres.terminate_backend:2']);
    const verdict = await signer.verify(signedIntentOf(buttons[1]!.action_id), buttons[1]!.value);
    expect(verdict.ok).toBe(true);
  });

  it('a remedy button lives as long as its action says: an hour for the two naming a pid, a day for every other', async () => {
    const pid = ['postgres.cancel_query', 'postgres.terminate_backend'];
    expect(ACTIONS.filter((a) => a.buttonTtlMs !== undefined).map((a) => a.id).sort()).toEqual(pid);
    for (const a of ACTIONS) {
      const ttl = pid.includes(a.id) ? HOUR : DAY;
      expect(BOT_INTERACTIONS.ttlMs(`remedy:${a.id}`), a.id).toBe(ttl);
      expect(BOT_INTERACTIONS.ttlMs(`remedy:${a.id}:2`), `${a.id}:2`).toBe(ttl);
    }
    now = NOW;
    const buttons = sealed([
      { intent: 'remedy', action: 'postgres.cancel_query', params: { pid: 4242 }, target: 'main-db' },
      { intent: 'remedy', action: 'postgres.vacuum_analyze', params: { database: 'app', schema: 'public', table: 'orders' }, target: 'main-db' },
    ]);
    const lives = await Promise.all(buttons.map(async (b) => {
      const verdict = await signer.verify(signedIntentOf(b.action_id), b.value);
      return verdict.ok ? Math.floor((verdict.expiresAt.getTime() - NOW) / 1000) * 1000 : verdict.reason;
    }));
    expect(lives).toEqual([HOUR, DAY]);
  });

  it('a dialog is signed for its callback id, for an hour', async () => {
    now = NOW;
    const view = sealView({ type: 'modal', callback_id: 'remedy-input', private_metadata: '{"confirmation":"x"}', title: { type: 'plain_text', text: 'Scale' }, blocks: [] }, signer);
    const verdict = await signer.verify('remedy-input', view.private_metadata);
    expect(verdict).toMatchObject({ ok: true, raw: '{"confirmation":"x"}' });
    expect(verdict.ok && verdict.expiresAt.getTime() - NOW).toBe(HOUR);
    expect(() => sealView({ type: 'modal', callback_id: 'nope', private_metadata: '', title: { type: 'plain_text', text: 'x' }, blocks: [] }, signer)).toThrowError('no declared dialog has callback id "nope"');
  });
});

describe('a value the bot did not offer', () => {
  it('is refused when edited, signed for another intent, or expired', async () => {
    now = NOW;
    const [remedy, ack] = sealed([SAMPLES.remedy[0]!, SAMPLES['incident.ack'][0]!]);
    expect(await signer.verify(signedIntentOf(remedy!.action_id), remedy!.value.replace('4242', '4243'))).toEqual({ ok: false, reason: 'bad-signature' });
    // The incident button's value (the id 7) pressed as a Resolve button.
    expect(await signer.verify('incident:resolve', ack!.value)).toEqual({ ok: false, reason: 'bad-signature' });
    now = NOW + DAY + 1000;
    expect(await signer.verify(signedIntentOf(remedy!.action_id), remedy!.value)).toEqual({ ok: false, reason: 'expired' });
    now = NOW;
  });

  it.each([
    ['remedy:postgres.terminate_backend', 'not json', 'its value is not a remedy ("not json")'],
    ['remedy:postgres.terminate_backend', '{"action":1,"params":{},"target":"x"}', 'its value is not a remedy ({"action", "params", "target"})'],
    ['remedy:postgres.terminate_backend', '{"action":"a","params":[],"target":"x"}', 'its value is not a remedy'],
    ['incident:ack', '0', 'This button names no incident ("0"; an incident id is a positive whole number)'],
    ['incident:escalate', '12abc', 'This button names no incident ("12abc"'],
    ['digest:details:3', '-1', 'This Details button is not valid (report id "-1")'],
    ['runbook:open', 'nope', 'unknown runbook "nope" (known: postgres-locks)'],
    ['incident:declare', '{"title":"t"}', 'it carries no report ({target, kind, status, startedAt, findings})'],
    ['incident:declare', '{"title":"t","report":{"target":"a","kind":"b","status":"crit","startedAt":"c","findings":[{"check":1}]}}', 'a finding is not {check, status, title}'],
    ['confirm:run', 'x', 'This confirmation is not one the bot recorded ("x")'],
    ['alert-vote:noise', 'PostgresDown', 'This Noise button is not valid (value "PostgresDown", expected group:episode numbers)'],
    ['alert-vote:useful', '0:1', 'This Useful button is not valid'],
    ['nothing:here', '1', 'no button of the bot has action id "nothing:here"'],
  ])('%s with %s (signed, but not of its shape) is refused naming the value', (actionId, value, problem) => {
    const decoded = BOT_INTERACTIONS.decode(actionId, value, context);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.problem).toContain(problem);
  });

  it('says what to run again for each family, and audits a remedy under its action', () => {
    expect(BOT_INTERACTIONS.fresh('remedy:k8s.restart:2')).toBe('run /diag again');
    expect(BOT_INTERACTIONS.fresh('incident:declare')).toBe('run /diag again');
    expect(BOT_INTERACTIONS.fresh('incident:ack')).toBe('use /incident show <id> or the latest page');
    expect(BOT_INTERACTIONS.fresh('digest:details')).toBe('use /digest history');
    expect(BOT_INTERACTIONS.fresh('runbook:open')).toBe('use /runbook');
    expect(BOT_INTERACTIONS.fresh('confirm:run')).toBe('press the button on the report again');
    expect(BOT_INTERACTIONS.fresh('remedy-input')).toBe('press the button on the report again');
    expect(BOT_INTERACTIONS.auditAs('remedy:postgres.cancel_query')).toBe('postgres.cancel_query');
    expect(BOT_INTERACTIONS.auditAs('incident:ack')).toBe('incident:ack');
    expect(() => BOT_INTERACTIONS.ttlMs('nothing:here')).toThrowError('no declared intent has action id "nothing:here"');
  });
});
