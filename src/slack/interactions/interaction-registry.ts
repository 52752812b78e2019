// Every button and dialog the bot offers, from their declarations (one file per family). Built
// once when the bot starts: an intent declared twice, two declarations claiming one action id (or
// a family prefix covering another's id), a callback id used twice or an intent without a
// declaration stops the bot, naming them. The edge asks it everything about a button: the action
// id and value of an intent, the signing TTL and "what to run again" of an action id, and the
// intent a pressed value stands for.
import type { Intent, IntentName } from '../../message/intent.ts';
import type { ButtonInteraction, DecodeContext, Decoded, DialogInteraction, EncodedIntent, InteractionFamily } from './interaction.ts';

type Declared<F extends readonly InteractionFamily[]> = { [K in keyof F]: keyof F[K] }[number];
/** The families must declare every intent between them: otherwise the type names the missing ones. */
export type CoveringFamilies<F extends readonly InteractionFamily[]> = [Exclude<IntentName, Declared<F>>] extends [never] ? F : { missingIntents: Exclude<IntentName, Declared<F>> };

type AnyButton = ButtonInteraction<IntentName>;

/** The intent a button's value is signed for: its action id without the `:<n>` that keeps ids unique in a block. */
export function signedIntentOf(actionId: string): string {
  return actionId.replace(/:\d+$/, '');
}

export class InteractionRegistry {
  readonly #byIntent = new Map<IntentName, AnyButton>();
  readonly #exact = new Map<string, AnyButton>();
  readonly #families: AnyButton[] = [];
  readonly #dialogs = new Map<string, DialogInteraction>();

  constructor(families: readonly InteractionFamily[], dialogs: readonly DialogInteraction[]) {
    const problems: string[] = [];
    for (const family of families) {
      for (const [name, declaration] of Object.entries(family) as Array<[IntentName, AnyButton | undefined]>) {
        if (!declaration) continue;
        if (declaration.intent !== name) problems.push(`the declaration under "${name}" is for intent "${declaration.intent}"`);
        if (this.#byIntent.has(name)) problems.push(`intent "${name}" is declared twice`);
        this.#byIntent.set(name, declaration);
        const taken = [...this.#byIntent.values()].find((d) => d !== declaration && claims(d, declaration));
        if (taken) problems.push(`intents "${taken.intent}" and "${name}" both use action id "${declaration.actionId}"${declaration.family || taken.family ? ' (or one\'s prefix covers the other)' : ''}`);
        if (declaration.family) this.#families.push(declaration);
        else this.#exact.set(declaration.actionId, declaration);
      }
    }
    for (const dialog of dialogs) {
      if (this.#dialogs.has(dialog.callbackId)) problems.push(`dialog callback id "${dialog.callbackId}" is declared twice`);
      if (this.lookup(dialog.callbackId)) problems.push(`dialog callback id "${dialog.callbackId}" is also a button's action id`);
      this.#dialogs.set(dialog.callbackId, dialog);
    }
    // The type says so for the bot's own registry; this says it for any other list of families.
    const missing = allIntentNames().filter((n) => !this.#byIntent.has(n));
    if (missing.length > 0) problems.push(`no declaration for intent${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`);
    if (problems.length > 0) throw new Error(`the Slack interactions do not add up: ${problems.join('; ')}`);
  }

  /** The declarations of every button, for the edge to listen for. */
  buttons(): readonly AnyButton[] {
    return [...this.#byIntent.values()];
  }

  dialogs(): readonly DialogInteraction[] {
    return [...this.#dialogs.values()];
  }

  encode(intent: Intent): EncodedIntent {
    // Declared for every intent (the constructor checked); a declaration's method takes its own intent.
    return this.#byIntent.get(intent.intent)!.encode(intent);
  }

  /** The declaration a pressed (or rendered) action id belongs to, `:<n>` repeats included. */
  lookup(actionId: string): AnyButton | undefined {
    const id = signedIntentOf(actionId);
    return this.#exact.get(id) ?? this.#families.find((f) => id.startsWith(f.actionId) && id.length > f.actionId.length);
  }

  dialog(callbackId: string): DialogInteraction | undefined {
    return this.#dialogs.get(callbackId);
  }

  /** How long a button with this action id works once signed. */
  ttlMs(actionId: string): number {
    const declaration = this.lookup(actionId);
    if (!declaration) throw new Error(`no declared intent has action id "${actionId.slice(0, 100)}": a button the bot cannot handle`);
    return typeof declaration.ttlMs === 'number' ? declaration.ttlMs : declaration.ttlMs(signedIntentOf(actionId));
  }

  /** What to run again for a fresh button or dialog, when one was refused. */
  fresh(id: string): string {
    return this.lookup(id)?.fresh ?? this.#dialogs.get(id)?.fresh ?? 'run the command again';
  }

  /** The action a refused button (or dialog) is audited under. */
  auditAs(id: string): string {
    const declaration = this.lookup(id);
    return declaration?.auditAs?.(signedIntentOf(id)) ?? id;
  }

  /** A pressed value (signature checked) as its intent, or why it is not one. */
  decode(actionId: string, value: string, context: DecodeContext): Decoded<Intent> {
    const declaration = this.lookup(actionId);
    if (!declaration) return { ok: false, problem: `no button of the bot has action id "${actionId.slice(0, 60)}"` };
    return declaration.decode(value, signedIntentOf(actionId), context);
  }
}

/** Whether two declarations would claim the same action id. */
function claims(a: AnyButton, b: AnyButton): boolean {
  if (a.family && b.family) return a.actionId.startsWith(b.actionId) || b.actionId.startsWith(a.actionId);
  if (a.family) return b.actionId.startsWith(a.actionId);
  if (b.family) return a.actionId.startsWith(b.actionId);
  return a.actionId === b.actionId;
}

/** Every intent name, from a record the type checker keeps complete. */
function allIntentNames(): IntentName[] {
  const names: Record<IntentName, true> = {
    remedy: true,
    'runbook.open': true,
    'runbook.checks': true,
    'incident.declare': true,
    'incident.ack': true,
    'incident.escalate': true,
    'incident.resolve': true,
    'digest.details': true,
    'confirm.run': true,
    'confirm.cancel': true,
    'triage.explain': true,
    'alert.useful': true,
    'alert.noise': true,
    'alert.silence': true,
    'alert.unsilence': true,
  };
  return Object.keys(names) as IntentName[];
}

/** The registry of these families and dialogs; a family list that leaves an intent out does not typecheck. */
export function createInteractionRegistry<const F extends readonly InteractionFamily[]>(families: CoveringFamilies<F>, dialogs: readonly DialogInteraction[]): InteractionRegistry {
  return new InteractionRegistry(families as unknown as readonly InteractionFamily[], dialogs);
}

