// What a terminal run remembers between runs when there is no state store (DATABASE_URL unset):
// the latest value of each target's counters, in one small JSON file, so the next run judges a
// rate ("3 evictions since the previous run") instead of starting over every time. The file is
// private (mode 0600), replaced whole through a temporary file and a rename (a reader never sees
// half of it), and re-read before each write so two runs at once keep each other's values. A file
// that is missing, unreadable or corrupt reads as empty: it never stops a run.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { ProbeState, ProbeStateStore, Remembered } from './probe-state.ts';

/** A file larger than this is not what this store writes: it reads as empty. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Values of targets not run for this long are dropped: a renamed target leaves nothing behind for good. */
const KEEP_MS = 30 * 24 * 3600_000;

interface Entry {
  value: unknown;
  /** ISO time it was stored. */
  at: string;
}

/** target -> key -> latest value. */
type Entries = Record<string, Record<string, Entry>>;

export class FileProbeStateStore implements ProbeStateStore {
  /** The file's name in the data directory. */
  static readonly FILE = 'probe-state.json';
  readonly #file: string;
  readonly #dir: string;
  readonly #log: Logger | undefined;
  /** The file as read at the first get, or after the last write. */
  #entries: Entries | undefined;

  constructor(dataDir: string, log?: Logger) {
    this.#dir = path.resolve(dataDir);
    this.#file = path.join(this.#dir, FileProbeStateStore.FILE);
    this.#log = log;
  }

  forTarget(target: string): ProbeState {
    return {
      get: async <T>(key: string): Promise<Remembered<T> | undefined> => {
        this.#entries ??= this.#read();
        const entry = Object.hasOwn(this.#entries, target) && Object.hasOwn(this.#entries[target]!, key) ? this.#entries[target]![key]! : undefined;
        return entry ? { value: structuredClone(entry.value) as T, at: new Date(entry.at) } : undefined;
      },
      set: async (key: string, value: unknown): Promise<void> => {
        this.#write(target, key, { value: structuredClone(value), at: new Date().toISOString() });
      },
    };
  }

  /** The entries of the file; empty when it is missing or not what this store writes. */
  #read(): Entries {
    let text: string;
    try {
      const refused = this.#unsafeDir();
      if (refused) {
        this.#log?.warn({ dir: this.#dir }, `probe state not read: ${refused}; counters start over`);
        return empty();
      }
      text = readPrivateFile(this.#file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log?.warn({ code: (err as NodeJS.ErrnoException).code ?? 'error', file: this.#file }, 'probe state file not readable: counters start over');
      return empty();
    }
    try {
      return validEntries(JSON.parse(text));
    } catch {
      // Not the error: its message quotes the file's text.
      this.#log?.warn({ file: this.#file }, 'probe state file is not valid JSON: counters start over');
      return empty();
    }
  }

  /** The latest file with this one value replaced, written whole; a failure costs only the memory of it. */
  #write(target: string, key: string, entry: Entry): void {
    const entries = this.#read();
    (entries[target] ??= empty())[key] = entry;
    const oldest = Date.now() - KEEP_MS;
    for (const [t, keys] of Object.entries(entries)) {
      for (const [k, e] of Object.entries(keys)) if (Date.parse(e.at) < oldest) delete keys[k];
      if (Object.keys(keys).length === 0) delete entries[t];
    }
    this.#entries = entries;
    const temp = path.join(this.#dir, `.${FileProbeStateStore.FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      makeDir(this.#dir);
      const refused = this.#unsafeDir();
      if (refused) throw new Error(refused);
      writeFileSync(temp, `${JSON.stringify(entries)}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(temp, this.#file);
    } catch (err) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // Never made.
      }
      // The code, not the error: one short line in a terminal run.
      this.#log?.warn({ code: (err as NodeJS.ErrnoException).code ?? (err as Error).message, file: this.#file }, 'probe state file not written: the next run starts its counters over');
    }
  }

  /**
   * Why the data directory is not trusted with counters, or undefined: it must be a directory (not
   * a link) that this user owns and no one else may write to, or another user could forge them.
   */
  #unsafeDir(): string | undefined {
    let st;
    try {
      st = lstatSync(this.#dir);
    } catch {
      return undefined; // Not there yet: it is made private when first written.
    }
    if (!st.isDirectory()) return `${this.#dir} is not a directory`;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${this.#dir} belongs to another user`;
    if ((st.mode & 0o022) !== 0) return `${this.#dir} may be written by other users (chmod go-w it)`;
    return undefined;
  }
}

/** Parent directories made at the most for a data directory: a path deeper than this is not made. */
const MAX_MISSING_PARENTS = 16;

/**
 * The data directory, private: made on its own when its parent exists, else its missing parents
 * first, each once and top down (never a recursive mkdir, which spins on paths such as /proc/x).
 */
function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      lstatSync(d);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (missing.length === MAX_MISSING_PARENTS || path.dirname(d) === d) {
      throw Object.assign(new Error(`more than ${MAX_MISSING_PARENTS} missing directories above ${dir}`), { code: 'ETOODEEP' });
    }
    missing.push(d);
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      // Another run made it meanwhile.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** The file's text, refusing a link, something not a regular file, or anything larger than a store writes. */
function readPrivateFile(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) throw Object.assign(new Error('not a probe state file'), { code: 'ENOTSTATE' });
    const buffer = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buffer, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Only well-formed entries of a parsed file (it may have been edited or cut short). */
function validEntries(parsed: unknown): Entries {
  const out: Entries = empty();
  if (!isRecord(parsed)) return out;
  for (const [target, keys] of Object.entries(parsed)) {
    if (!isRecord(keys)) continue;
    for (const [key, e] of Object.entries(keys)) {
      if (isRecord(e) && 'value' in e && typeof e.at === 'string' && !Number.isNaN(Date.parse(e.at))) (out[target] ??= empty())[key] = { value: e.value, at: e.at };
    }
  }
  return out;
}

/** Without a prototype: names read from the file (`__proto__`) are only keys. */
function empty<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
