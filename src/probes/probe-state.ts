// What a probe remembers between runs of a target: counters such as evictions or rejected
// connections only mean something as a rate, so a run compares with the previous one.
import type pg from 'pg';

export interface Remembered<T> {
  value: T;
  /** When it was stored. */
  at: Date;
}

/** State of one target; keys are the probe's own (`redis.evicted_keys`). */
export interface ProbeState {
  get<T>(key: string): Promise<Remembered<T> | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export interface ProbeStateStore {
  forTarget(target: string): ProbeState;
}

/** Kept in the state store: survives restarts and is shared by replicas. */
export class PgProbeStateStore implements ProbeStateStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  forTarget(target: string): ProbeState {
    const pool = this.#pool;
    return {
      async get<T>(key: string) {
        const { rows } = await pool.query<{ value: T; updated_at: Date }>(
          'SELECT value, updated_at FROM probe_state WHERE target = $1 AND key = $2', [target, key]);
        return rows[0] ? { value: rows[0].value, at: rows[0].updated_at } : undefined;
      },
      async set(key: string, value: unknown) {
        await pool.query(
          `INSERT INTO probe_state (target, key, value, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (target, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [target, key, JSON.stringify(value)]);
      },
    };
  }
}

/** For the CLI without a state store: remembers within the process only. */
export class MemoryProbeStateStore implements ProbeStateStore {
  readonly #values = new Map<string, Remembered<unknown>>();

  forTarget(target: string): ProbeState {
    const values = this.#values;
    return {
      async get<T>(key: string) {
        return values.get(`${target}\u0000${key}`) as Remembered<T> | undefined;
      },
      async set(key: string, value: unknown) {
        values.set(`${target}\u0000${key}`, { value: structuredClone(value), at: new Date() });
      },
    };
  }
}
