// WAL archiving (pg_stat_archiver and the archive settings) and, when the target gives a
// backupCheck query, the age of the newest backup. Archiving is what point-in-time recovery rests
// on: a failing archive_command is critical now (WAL piles up in pg_wal and the recovery window
// stops growing); a quiet archiver while WAL is written is a warning.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { errorCode, errorMessage } from '../classify-error.ts';
import { formatDuration, plural } from '../../format.ts';
import type { BackupCheck } from '../depth-settings.ts';
import { refusedStatement } from '../refused-statement.ts';
import { shorten } from '../mask-query.ts';
import { statsSince, utcMinute } from '../stats-since.ts';

interface ArchiverRow {
  archive_mode: string;
  /** Whether archive_command or archive_library is set; both are readable by every role (13 to 17). */
  command_set: boolean | null;
  archived_count: number;
  last_archived_wal: string | null;
  last_archived_age_s: number | null;
  failed_count: number;
  last_failed_wal: string | null;
  last_failed_age_s: number | null;
  failing: boolean;
  stats_reset: Date | null;
  in_recovery: boolean;
  /** WAL file of the current (primary) or last received (standby) position; null when unknown. */
  current_wal: string | null;
  segment_bytes: number;
}

interface Part {
  status: Status;
  title: string;
  detail: string[];
  fix?: string;
  config?: boolean;
}

const HOUR = 3600;
/** A failure newer than this, with no success after it, is the archiver failing now. */
const RETRY_WINDOW_S = 15 * 60;

export async function checkBackups(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const [archive, backup] = await Promise.all([archivePart(ctx, t), ctx.settings.backupCheck ? backupPart(ctx, ctx.settings.backupCheck) : undefined]);
  const parts = backup ? [archive, backup] : [archive];
  const status = worstStatus(parts.map((p) => p.status));
  // The title speaks of the worst part; the detail carries both.
  const lead = [...parts].sort((a, b) => rank(b.status) - rank(a.status))[0]!;
  const rest = parts.filter((p) => p !== lead);
  const detail = [...lead.detail, ...rest.flatMap((p) => [p.title, ...p.detail])];
  const fix = parts.filter((p) => p.status !== 'ok' && p.fix).map((p) => p.fix).join(' ');
  return [
    finding('backups', status, lead.title, {
      detail: detail.length ? detail.join('\n') : undefined,
      fix: fix || undefined,
      config: lead.config,
    }),
  ];
}

function rank(s: Status): number {
  return { ok: 0, unknown: 1, warn: 2, crit: 3 }[s] ?? 0;
}

async function archivePart(ctx: CheckContext, t: Thresholds): Promise<Part> {
  const standby = ctx.server.inRecovery;
  // pg_current_wal_lsn() fails during recovery: a standby's position is what it received.
  const position = standby ? 'coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())' : 'pg_current_wal_lsn()';
  const [row] = await ctx.query<ArchiverRow>(`
    select current_setting('archive_mode') as archive_mode,
           (select coalesce(bool_or(setting <> ''), false) from pg_settings where name in ('archive_command', 'archive_library')
            having count(*) > 0) as command_set,
           a.archived_count::float8 as archived_count, a.last_archived_wal,
           extract(epoch from now() - a.last_archived_time)::float8 as last_archived_age_s,
           a.failed_count::float8 as failed_count, a.last_failed_wal,
           extract(epoch from now() - a.last_failed_time)::float8 as last_failed_age_s,
           coalesce(a.last_failed_time > a.last_archived_time or (a.last_failed_time is not null and a.last_archived_time is null), false) as failing,
           a.stats_reset, pg_is_in_recovery() as in_recovery,
           case when pg_is_in_recovery() then null else pg_walfile_name(${position}) end as current_wal,
           (select setting::float8 * case unit when '8kB' then 8192 when 'MB' then 1048576 else 1 end
            from pg_settings where name = 'wal_segment_size') as segment_bytes
    from pg_stat_archiver a`);
  if (!row) throw new Error('pg_stat_archiver returned no row');
  const mode = row.archive_mode;
  if (standby && mode !== 'always') {
    return {
      status: 'ok',
      title: `Standby with archive_mode = ${mode}: WAL is archived by the primary, if at all, not here`,
      detail: ['A standby archives only with archive_mode = always: judge archiving on the primary (probe it as a target of its own).'],
    };
  }
  if (mode === 'off') {
    return {
      status: 'ok',
      title: 'WAL archiving is off (archive_mode = off): point-in-time recovery is not possible, only restores of whole backups',
      detail: ['If this database needs point-in-time recovery, turn on archive_mode with an archive_command or a backup tool (pgBackRest, WAL-G, Barman).'],
    };
  }
  const since = statsSince(row.stats_reset);
  const counts = `${plural(row.archived_count, 'segment')} archived and ${plural(row.failed_count, 'failure')} ${since}`;
  const detail: string[] = [counts];
  if (row.last_archived_wal) detail.push(`last archived: ${row.last_archived_wal}, ${formatDuration(row.last_archived_age_s ?? 0)} ago`);
  if (row.last_failed_wal) detail.push(`last failure: ${row.last_failed_wal}, ${formatDuration(row.last_failed_age_s ?? 0)} ago`);

  // A failing segment is retried at least every minute or so (three tries, then the archiver
  // sleeps at most 60 s): a last failure older than this with nothing archived since means nothing
  // is being retried any more (its segment went another way), and is history.
  const failingNow = row.failing && (row.last_failed_age_s ?? Infinity) <= RETRY_WINDOW_S;
  if (row.failing && !failingNow) {
    detail.push(`the last attempt failed ${formatDuration(row.last_failed_age_s ?? 0)} ago and none failed since: the archiver is not retrying it`);
  }
  if (failingNow) {
    return {
      status: 'crit',
      title: `WAL archiving failing: segment ${row.last_failed_wal ?? '(unknown)'} could not be archived (${plural(row.failed_count, 'failure')} of the archive command ${since})`,
      detail: [
        ...detail,
        'Until the archive command succeeds, WAL piles up in pg_wal (the disk can fill and stop the server) and the point-in-time recovery window stops growing.',
      ],
      fix: 'Read the server log for the archive command\'s error (archive command failed with exit code ...), fix its cause (archive storage full or unreachable, credentials, path); archiving resumes by itself. Watch the disk of pg_wal meanwhile.',
    };
  }
  if (row.command_set === false) {
    return {
      status: 'warn',
      title: `archive_mode = ${mode} but no archive_command or archive_library is set: WAL is kept in pg_wal and nothing is archived`,
      detail,
      fix: 'Set archive_command (or archive_library) to your backup tool\'s archive command and reload, or turn archive_mode off if point-in-time recovery is not wanted (restart).',
    };
  }
  // Completed segments not archived yet: the current one is still being written.
  const pending = pendingSegments(row.current_wal, row.last_archived_wal, row.segment_bytes);
  const ageH = row.last_archived_age_s === null ? null : row.last_archived_age_s / HOUR;
  const waiting = pending === null ? '' : `${plural(pending, 'completed WAL segment')} waiting to be archived`;
  if (pending !== null) detail.push(waiting);
  if (pending !== null && pending > 0) {
    // The last success may be days old on a quiet database whose one new segment is being archived
    // right now: how long the oldest segment has waited decides, when the role may list them.
    const oldest = await oldestWaiting(ctx);
    if (oldest === undefined) {
      detail.push(`how long the segments have waited is unknown: ${ctx.server.role} may not list pg_wal/archive_status (pg_ls_archive_statusdir: GRANT pg_monitor)`);
    } else if (oldest !== null) {
      detail.push(`the oldest has waited ${formatDuration(oldest)}`);
    }
    const waitedH = oldest === undefined ? ageH : oldest === null ? 0 : Math.min(oldest / HOUR, ageH ?? Infinity);
    const judged = waitedH === null ? 'warn' : statusAbove(waitedH, t);
    if (judged !== 'ok') {
      return {
        status: judged,
        title:
          ageH === null
            ? `No WAL segment archived ${since} while ${waiting}`
            : `No WAL segment archived for ${formatDuration(row.last_archived_age_s!)} while ${waiting}`,
        detail,
        fix: 'Check that the archiver runs (ps: "archiver" process) and the server log for archive errors; a slow archive command (network, storage) falls behind: speed it up or run it in parallel with your backup tool.',
      };
    }
  }
  const lastOk = row.last_archived_wal ? `last ${formatDuration(row.last_archived_age_s ?? 0)} ago (${row.last_archived_wal})` : 'nothing archived yet';
  if (row.failing) {
    return {
      status: 'ok',
      title: `WAL archiving not failing now: the last failure (${row.last_failed_wal ?? 'a segment'}) was ${formatDuration(row.last_failed_age_s ?? 0)} ago and nothing has failed since${pending === null ? '' : `; ${waiting}`}`,
      detail,
    };
  }
  return {
    status: 'ok',
    title: `WAL archiving works: ${lastOk}${pending === null ? '' : `, ${waiting}`}`,
    detail,
  };
}

/**
 * Seconds the oldest .ready file in pg_wal/archive_status has waited; null when none waits;
 * undefined when the role may not list the directory (superuser or pg_monitor).
 */
async function oldestWaiting(ctx: CheckContext): Promise<number | null | undefined> {
  try {
    const [row] = await ctx.query<{ age_s: number | null }>(
      `select extract(epoch from now() - min(modification))::float8 as age_s from pg_ls_archive_statusdir() where name like '%.ready'`,
    );
    return row?.age_s === null || row?.age_s === undefined ? null : Math.max(0, row.age_s);
  } catch (e) {
    if (errorCode(e) === '42501') return undefined;
    throw e;
  }
}

/** Completed segments after the last archived one, before the current; null when it cannot tell. */
function pendingSegments(currentWal: string | null, lastArchived: string | null, segmentBytes: number): number | null {
  const segno = (name: string | null): number | null => {
    const m = name ? /^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})/.exec(name) : null;
    if (!m || !(segmentBytes > 0)) return null;
    return parseInt(m[1]!, 16) * (0x1_0000_0000 / segmentBytes) + parseInt(m[2]!, 16);
  };
  const current = segno(currentWal);
  if (current === null) return null;
  // Nothing archived yet (or a .history file last): no segment to count from.
  const last = segno(lastArchived);
  if (last === null) return null;
  return Math.max(0, current - last - 1);
}

async function backupPart(ctx: CheckContext, check: BackupCheck): Promise<Part> {
  const key = `targets.${ctx.targetName}.backupCheck`;
  const refused = refusedStatement(check.query);
  if (refused) {
    return {
      status: 'unknown',
      title: `Backup age unknown: the backupCheck query was not run: ${refused}`,
      detail: [],
      fix: `Write ${key}.query as one SELECT that only reads the newest backup's time (a backup tool's catalogue table, pg_stat_archiver); the probe runs nothing that acts on the server.`,
      config: true,
    };
  }
  let rows: Record<string, unknown>[];
  try {
    rows = await ctx.readOnly(check.query);
  } catch (e) {
    const code = errorCode(e);
    const said = serverSaid(e);
    if (code === '42501') {
      return {
        status: 'unknown',
        title: `Backup age unknown: ${ctx.server.role} may not run the backupCheck query (${said})`,
        detail: [],
        fix: `GRANT SELECT on what ${key}.query reads to ${ctx.server.role}.`,
      };
    }
    if (code === '57014') {
      return { status: 'unknown', title: `Backup age unknown: the backupCheck query ran past the statement timeout (${ctx.timeoutMs} ms)`, detail: [], fix: `Make ${key}.query cheaper (an index on the backup time) or raise the target's timeoutMs.` };
    }
    return {
      status: 'unknown',
      title: `Backup age unknown: the backupCheck query failed (${said})`,
      detail: [],
      fix: `Fix ${key}.query: one read-only SELECT returning the newest backup's time as a timestamptz in its first column.`,
      config: true,
    };
  }
  const first = rows[0] ? Object.values(rows[0])[0] : undefined;
  if (first === undefined || first === null) {
    return {
      status: 'crit',
      title: 'No backup found: the backupCheck query returned no backup time',
      detail: [],
      fix: 'Run a backup now and check that the backup job is scheduled; if backups exist, fix the backupCheck query.',
    };
  }
  if (!(first instanceof Date) || Number.isNaN(first.getTime())) {
    return {
      status: 'unknown',
      title: `Backup age unknown: the backupCheck query returned ${typeof first === 'string' ? 'text' : typeof first}, not a timestamptz`,
      detail: [],
      fix: `Make ${key}.query return a timestamptz in its first column (cast it: ...::timestamptz).`,
      config: true,
    };
  }
  const ageS = Math.max(0, (Date.now() - first.getTime()) / 1000);
  const status = statusAbove(ageS, { warn: check.maxAgeS, crit: 2 * check.maxAgeS });
  const when = utcMinute(first);
  if (status === 'ok') {
    return { status, title: `Newest backup ${formatDuration(ageS)} old (${when}), within maxAge ${check.maxAge}`, detail: [] };
  }
  return {
    status,
    title: `Newest backup is ${formatDuration(ageS)} old (${when}): over ${status === 'crit' ? `twice the maxAge ${check.maxAge}` : `maxAge ${check.maxAge}`}`,
    detail: [],
    fix: 'Look at the backup job (scheduler, its log, the backup storage): run a backup now and make sure the next scheduled one succeeds.',
  };
}

/**
 * The server's error about the backupCheck query as one short line. A data error quotes the value
 * it could not take ("invalid input syntax ...: \"<value>\""), and a function's RAISE says what the
 * function wants: those values may be data, so they are not shown.
 */
function serverSaid(e: unknown): string {
  const code = errorCode(e) ?? '';
  let text = errorMessage(e);
  if (code.startsWith('P0')) text = `an error raised by a function (${code}; its text is not shown)`;
  else if (code.startsWith('22') || code.startsWith('23')) text = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '"…"');
  return shorten(text.replace(/\s+/g, ' ').trim(), 200);
}
