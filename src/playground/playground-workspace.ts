// What the playground's page shows: the messages the bot posted (channels, threads, direct
// messages, private "only visible to you" ones), the files it uploaded and the dialogs it opened.
// It lives in memory, for one run of the bot: the transport writes it (playground-transport.ts),
// the page reads it and is told every change as it happens (subscribe). Messages are kept already
// masked and sealed; the last `keep` of them stay, the oldest (and their files) are dropped.
import type { PeopleNames, PlaygroundChannel, PlaygroundDialog, PlaygroundEvent, PlaygroundFile, PlaygroundMessage } from './playground-types.ts';

/** A message as the transport hands it over: the workspace gives it its ts and time. */
export type NewPlaygroundMessage = Omit<PlaygroundMessage, 'ts' | 'postedAt' | 'editedAt'>;

/** What replacing a message changes: its words and buttons (sealed anew), and its files. */
export type PlaygroundMessageChange = Pick<PlaygroundMessage, 'message' | 'buttons' | 'nonce'> & { files?: PlaygroundFile[] };

const DEFAULT_KEEP = 1000;

export class PlaygroundWorkspace {
  readonly channels: readonly PlaygroundChannel[];
  readonly people: PeopleNames;
  readonly #keep: number;
  /** By ts; a Map keeps insertion order, which is ts order since every new ts is larger. */
  readonly #messages = new Map<string, PlaygroundMessage>();
  /** The key a message was posted with (an alert's, a page's): how an interrupted post is found again. */
  readonly #keys = new Map<string, string>();
  readonly #files = new Map<string, PlaygroundFile>();
  readonly #dialogs = new Map<string, PlaygroundDialog>();
  readonly #listeners = new Set<(e: PlaygroundEvent) => void>();
  /** The last ts given, in microseconds. */
  #lastMicros = 0;

  constructor(o: { channels: PlaygroundChannel[]; people: PeopleNames; keep?: number }) {
    const keep = o.keep ?? DEFAULT_KEEP;
    if (!Number.isInteger(keep) || keep < 1) throw new Error(`keep must be a whole number of messages from 1, got ${String(keep)}`);
    const ids = new Set<string>();
    for (const c of o.channels) {
      if (ids.has(c.id)) throw new Error(`channel ${c.id} is listed twice in the playground's channels`);
      ids.add(c.id);
    }
    this.channels = [...o.channels];
    this.people = o.people;
    this.#keep = keep;
  }

  /** Told every change from now on; returns how to stop being told. */
  subscribe(fn: (e: PlaygroundEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  /** Every message kept, oldest first. */
  messages(): PlaygroundMessage[] {
    return [...this.#messages.values()];
  }

  message(ts: string): PlaygroundMessage | undefined {
    return this.#messages.get(ts);
  }

  dialog(id: string): PlaygroundDialog | undefined {
    return this.#dialogs.get(id);
  }

  /** Every open dialog, oldest first (a page that connects late shows them). */
  dialogs(): PlaygroundDialog[] {
    return [...this.#dialogs.values()];
  }

  file(id: string): PlaygroundFile | undefined {
    return this.#files.get(id);
  }

  /** Whether `id` is one of the page's channels. */
  hasChannel(id: string): boolean {
    return this.channels.some((c) => c.id === id);
  }

  /** Keeps a new message (its files with it), with the key it was posted under if any. */
  post(m: NewPlaygroundMessage, key?: string): PlaygroundMessage {
    const stored: PlaygroundMessage = { ...m, ts: this.#nextTs(), postedAt: new Date().toISOString() };
    for (const f of m.files ?? []) this.#files.set(f.id, f);
    this.#messages.set(stored.ts, stored);
    if (key !== undefined) this.#keys.set(stored.ts, key);
    this.#dropOldest();
    this.#emit({ type: 'message', message: stored, created: true });
    return stored;
  }

  /** Replaces a kept message in place ("running..." becomes the report); an unknown ts is an error naming it. */
  replace(ts: string, change: PlaygroundMessageChange): PlaygroundMessage {
    const old = this.#messages.get(ts);
    if (!old) throw new Error(`no message with ts ${ts} in the playground (it may be older than the ${this.#keep} kept)`);
    const { files, ...rest } = change;
    const next: PlaygroundMessage = { ...old, ...rest, editedAt: new Date().toISOString() };
    if (files !== undefined) {
      for (const f of old.files ?? []) this.#files.delete(f.id);
      for (const f of files) this.#files.set(f.id, f);
      if (files.length > 0) next.files = files;
      else delete next.files;
    }
    this.#messages.set(ts, next);
    this.#emit({ type: 'message', message: next, created: false });
    return next;
  }

  /** The key a message was posted with, if any. */
  keyOf(ts: string): string | undefined {
    return this.#keys.get(ts);
  }

  /**
   * The newest message posted with `key` in `channel`: at the top of the channel or in any of its
   * threads, or with `threadTs` only in that thread.
   */
  findByKey(key: string, where: { channel: string; threadTs?: string }): PlaygroundMessage | undefined {
    let found: PlaygroundMessage | undefined;
    for (const [ts, k] of this.#keys) {
      if (k !== key) continue;
      const m = this.#messages.get(ts);
      if (!m || m.channel !== where.channel) continue;
      if (where.threadTs !== undefined && m.threadTs !== where.threadTs) continue;
      found = m;
    }
    return found;
  }

  openDialog(dialog: PlaygroundDialog): void {
    if (this.#dialogs.has(dialog.id)) throw new Error(`dialog ${dialog.id} is open already`);
    this.#dialogs.set(dialog.id, dialog);
    this.#emit({ type: 'dialog', dialog });
  }

  /** Removes an open dialog; false when it was not open. */
  closeDialog(id: string): boolean {
    if (!this.#dialogs.delete(id)) return false;
    this.#emit({ type: 'dialog-closed', id });
    return true;
  }

  /** Slack-like: seconds, a dot and six digits of microseconds; each larger than the last, even within one microsecond. */
  #nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.#lastMicros + 1);
    this.#lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  #dropOldest(): void {
    while (this.#messages.size > this.#keep) {
      const [ts, m] = this.#messages.entries().next().value!;
      this.#messages.delete(ts);
      this.#keys.delete(ts);
      for (const f of m.files ?? []) this.#files.delete(f.id);
    }
  }

  #emit(event: PlaygroundEvent): void {
    for (const fn of this.#listeners) {
      // One page's broken listener (a connection gone) must neither stop the others nor the bot's post.
      try {
        fn(event);
      } catch {
        // Its own concern: the server ends a subscription whose connection failed.
      }
    }
  }
}
