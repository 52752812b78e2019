// Stored on-call overrides (/oncall override): who is on call for a rotation instead, for a while.
// Read latest created first, the order in which onCallAt lets them win.
import type pg from 'pg';
import type { Override } from './rotation.ts';

export interface NewOverride {
  rotation: string;
  user: string;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
}

interface Row {
  rotation: string;
  user_id: string;
  starts_at: Date;
  ends_at: Date;
  created_by: string;
}

const COLUMNS = 'rotation, user_id, starts_at, ends_at, created_by';
const LATEST_FIRST = 'ORDER BY created_at DESC, id DESC';

export class OverrideStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async add(o: NewOverride): Promise<Override> {
    const { rows } = await this.#pool.query<Row>(
      `INSERT INTO oncall_overrides (rotation, user_id, starts_at, ends_at, created_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [o.rotation, o.user, o.startsAt, o.endsAt, o.createdBy]);
    return fromRow(rows[0]!);
  }

  /** The overrides of a rotation in force at `at`. */
  async active(rotation: string, at: Date): Promise<Override[]> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT ${COLUMNS} FROM oncall_overrides
       WHERE rotation = $1 AND starts_at <= $2 AND ends_at > $2 ${LATEST_FIRST}`, [rotation, at]);
    return rows.map(fromRow);
  }

  /** The overrides of a rotation in force at some time in [from, until). */
  async covering(rotation: string, from: Date, until: Date): Promise<Override[]> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT ${COLUMNS} FROM oncall_overrides
       WHERE rotation = $1 AND starts_at < $3 AND ends_at > $2 ${LATEST_FIRST}`, [rotation, from, until]);
    return rows.map(fromRow);
  }
}

function fromRow(r: Row): Override {
  return { rotation: r.rotation, user: r.user_id, startsAt: r.starts_at, endsAt: r.ends_at, createdBy: r.created_by };
}
