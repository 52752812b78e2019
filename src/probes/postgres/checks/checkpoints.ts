// Requested against timed checkpoints. A checkpoint is requested when WAL reaches max_wal_size
// before checkpoint_timeout (or by a CHECKPOINT command, a base backup, a shutdown): many of them
// mean max_wal_size is too small for the write load, and each brings a burst of full-page writes.
// The counters grow since the stats reset; the share is judged only over the checkpoints since the
// previous run (kept in the probe state). Their whole history (last month's bulk load, the CREATE
// DATABASEs of a test run) is shown, never judged: ok, with the figure, until a run can compare.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatDuration, formatPct, plural } from '../../format.ts';
import { statsSince } from '../stats-since.ts';

interface Row {
  timed: number;
  requested: number;
  stats_reset: Date | null;
  max_wal_size: string;
  checkpoint_timeout: string;
}

interface Baseline {
  timed: number;
  requested: number;
  reset: string | null;
  at: number;
}

const STATE_KEY = 'postgres.checkpoints';
/** A baseline older than this is stale. */
const BASELINE_TTL_MS = 7 * 86_400_000;

export async function checkCheckpoints(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  // PostgreSQL 17 moved the counters from pg_stat_bgwriter to pg_stat_checkpointer.
  const source =
    ctx.server.versionNum >= 170000
      ? 'select num_timed::float8 as timed, num_requested::float8 as requested, stats_reset from pg_stat_checkpointer'
      : 'select checkpoints_timed::float8 as timed, checkpoints_req::float8 as requested, stats_reset from pg_stat_bgwriter';
  const [row] = await ctx.query<Row>(
    `select c.*, current_setting('max_wal_size') as max_wal_size, current_setting('checkpoint_timeout') as checkpoint_timeout from (${source}) c`,
  );
  if (!row) throw new Error('no checkpoint statistics row');
  const now = Date.now();
  const reset = row.stats_reset?.toISOString() ?? null;
  const min = ctx.settings.limits.minCheckpoints;
  const remembered = await ctx.state.get<Baseline>(STATE_KEY).catch(() => undefined);
  const before = remembered?.value;
  const usable =
    before !== undefined && now - before.at <= BASELINE_TTL_MS && before.reset === reset && row.timed >= before.timed && row.requested >= before.requested;
  const dTimed = usable ? row.timed - before.timed : 0;
  const dRequested = usable ? row.requested - before.requested : 0;
  const recent = usable && dTimed + dRequested >= min;
  // Keep an old baseline until enough checkpoints have happened since it to judge them.
  if (!usable || recent) await ctx.state.set(STATE_KEY, { timed: row.timed, requested: row.requested, reset, at: now } satisfies Baseline).catch(() => undefined);

  const timed = recent ? dTimed : row.timed;
  const requested = recent ? dRequested : row.requested;
  const total = timed + requested;
  const since = statsSince(row.stats_reset);
  const span = recent ? `in the last ${formatDuration((now - before!.at) / 1000)}` : since;
  const settings = `max_wal_size ${row.max_wal_size}, checkpoint_timeout ${row.checkpoint_timeout}`;
  const pct = total > 0 ? (requested / total) * 100 : 0;
  const metrics = { requested_pct: Math.round(pct * 10) / 10, checkpoints: total, requested };
  if (total < min) {
    return [finding('checkpoints', 'ok', `${plural(total, 'checkpoint')} ${span}: too few to judge (at least ${min})`, { detail: settings, metrics })];
  }
  const counts = `${formatPct(pct)} of ${plural(total, 'checkpoint')} ${span} were requested (${requested} requested, ${timed} timed)`;
  if (!recent) {
    return [finding('checkpoints', 'ok', `${counts[0]!.toUpperCase()}${counts.slice(1)}: history, judged from the next run on`, {
      detail: `${settings}\nOnly the checkpoints between two runs are judged: the counters since the stats reset mix today with bulk loads, backups and CREATE DATABASEs of the past.`,
      metrics,
    })];
  }
  const status: Status = statusAbove(pct, t);
  if (status === 'ok') return [finding('checkpoints', 'ok', counts[0]!.toUpperCase() + counts.slice(1), { detail: settings, metrics })];
  return [
    finding('checkpoints', status, `Many checkpoints requested rather than timed: ${counts}`, {
      detail: [
        settings,
        'A checkpoint is requested when max_wal_size fills before checkpoint_timeout; a CHECKPOINT command, CREATE DATABASE, a base backup and a shutdown also count as requested.',
      ].join('\n'),
      fix: `Raise max_wal_size (now ${row.max_wal_size}; ALTER SYSTEM SET max_wal_size = '<about twice>' and SELECT pg_reload_conf(), no restart) so that checkpoints come from checkpoint_timeout; check the disk has room for the extra WAL. If the requests come from manual CHECKPOINT commands or backups, this is expected.`,
      metrics,
    }),
  ];
}
