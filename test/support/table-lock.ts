// A real lock conflict on a PostgreSQL: `lock-holder` holds an ACCESS EXCLUSIVE lock on a table of
// its own in an open transaction and `lock-waiter` queues behind it, as /diag db's blocking-locks
// check and the Terminate remedy meet them in production.
import pg from 'pg';
import { waitFor } from './wait-for.ts';

export interface TableLock {
  holder: pg.Client;
  waiter: pg.Client;
  holderPid: number;
  waiterPid: number;
  /** Holds the lock and returns once the waiter is queued on it. */
  hold(): Promise<void>;
  /** The waiter's query: settles when the lock is released or its holder is gone. */
  readonly blocked: Promise<unknown> | undefined;
  close(): Promise<void>;
}

/** Creates `table` and connects the two sessions (the lock is taken by `hold()`). */
export async function tableLock(url: string, table: string): Promise<TableLock> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id int)`);
  await admin.end();
  const holder = new pg.Client({ connectionString: url, application_name: 'lock-holder' });
  const waiter = new pg.Client({ connectionString: url, application_name: 'lock-waiter' });
  for (const c of [holder, waiter]) {
    c.on('error', () => undefined);
    await c.connect();
  }
  const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const holderPid = await pidOf(holder);
  const waiterPid = await pidOf(waiter);
  let blocked: Promise<unknown> | undefined;
  return {
    holder,
    waiter,
    holderPid,
    waiterPid,
    get blocked() {
      return blocked;
    },
    async hold() {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${table}`);
      blocked = waiter.query(`SELECT count(*) FROM ${table}`).catch(() => undefined);
      await waitFor(async () => (await holder.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [waiterPid])).rowCount, 10_000, 'the waiter to queue on the lock');
    },
    async close() {
      await holder.end().catch(() => undefined);
      await blocked?.catch(() => undefined);
      await waiter.end().catch(() => undefined);
    },
  };
}
