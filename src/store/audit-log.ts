// Every command and action leaves a row: who, where, what, against which target, how it ended.
import type pg from 'pg';

export interface AuditEntry {
  actor: string;
  channel?: string;
  source: 'slack' | 'cli' | 'playground' | 'schedule' | 'alertmanager';
  action: string;
  target?: string;
  params?: Record<string, unknown>;
  outcome: string;
  durationMs?: number;
  detail?: string;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: Date;
}

/** What the bot does with its audit trail: write a row, read the latest ones. */
export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>;
  recent(limit: number): Promise<AuditRow[]>;
}

export class AuditLog implements AuditTrail {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_log (actor, channel, source, action, target, params, outcome, duration_ms, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [entry.actor, entry.channel ?? null, entry.source, entry.action, entry.target ?? null,
        JSON.stringify(entry.params ?? {}), entry.outcome, entry.durationMs ?? null, entry.detail ?? null],
    );
  }

  async recent(limit: number): Promise<AuditRow[]> {
    const { rows } = await this.pool.query(
      `SELECT id, at, actor, channel, source, action, target, params, outcome, duration_ms, detail
       FROM audit_log ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.map((r) => ({
      id: Number(r.id), at: r.at, actor: r.actor, channel: r.channel ?? undefined, source: r.source,
      action: r.action, target: r.target ?? undefined, params: r.params, outcome: r.outcome,
      durationMs: r.duration_ms ?? undefined, detail: r.detail ?? undefined,
    }));
  }
}
