// RDB snapshots and the AOF: a failed background save or AOF write is critical (the data on disk
// is stale, and with stop-writes-on-bgsave-error writes are refused). An old last save with
// unsaved changes is a warning when snapshots are configured; whether they are needs CONFIG GET
// save, which a managed or locked-down server may refuse: the finding then says so.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, round, statusAbove, type CheckContext } from '../check-context.ts';
import { num } from '../info.ts';
import { counted, formatDuration } from '../../format.ts';

export async function checkPersistence(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { info } = ctx;
  const save = await ctx.config('save');
  const rdbOn = save.ok ? (save.value ?? '').trim() !== '' : undefined;
  const aofOn = num(info, 'aof_enabled') === 1;
  const lastSave = num(info, 'rdb_last_save_time');
  const ageS = lastSave !== undefined && lastSave > 0 ? Math.max(0, ctx.serverNowS - lastSave) : undefined;
  const changes = num(info, 'rdb_changes_since_last_save') ?? 0;
  const bgsaveErr = info.get('rdb_last_bgsave_status') === 'err';
  const aofWriteErr = info.get('aof_last_write_status') === 'err';
  const aofRewriteErr = info.get('aof_last_bgrewrite_status') === 'err';

  const statuses: Status[] = ['ok'];
  const problems: string[] = [];
  const lines: string[] = [];
  lines.push(
    rdbOn === undefined
      ? `RDB snapshots: unknown (${save.ok ? 'no save parameter' : save.reason})`
      : rdbOn
        ? `RDB snapshots on (save ${save.ok ? save.value : ''})`
        : 'RDB snapshots off (save "")',
  );
  if (ageS !== undefined && rdbOn !== false) lines.push(`last successful save ${formatDuration(ageS)} ago, ${counted(changes, 'change')} since`);
  if (num(info, 'rdb_bgsave_in_progress') === 1) lines.push(`background save running for ${formatDuration(num(info, 'rdb_current_bgsave_time_sec') ?? 0)}`);
  lines.push(aofOn ? `AOF on, last write ${info.get('aof_last_write_status') ?? '?'}, last rewrite ${info.get('aof_last_bgrewrite_status') ?? '?'}` : 'AOF off');

  if (bgsaveErr) {
    statuses.push('crit');
    problems.push('last background save failed');
  }
  if (aofOn && aofWriteErr) {
    statuses.push('crit');
    problems.push('AOF writes failing');
  } else if (aofOn && aofRewriteErr) {
    statuses.push('warn');
    problems.push('last AOF rewrite failed');
  }
  const ageH = ageS !== undefined ? ageS / 3600 : 0;
  const overdue = ageS !== undefined && changes > 0 && statusAbove(ageH, t) !== 'ok';
  if (overdue && rdbOn === true) {
    statuses.push(statusAbove(ageH, t));
    problems.push(`last RDB save ${formatDuration(ageS)} ago with ${counted(changes, 'unsaved change')}`);
  } else if (overdue && rdbOn === undefined) {
    statuses.push('unknown');
    problems.push(`last RDB save ${formatDuration(ageS)} ago with ${counted(changes, 'unsaved change')}, and whether snapshots are configured is unknown`);
  }

  const status = worstStatus(statuses);
  const metrics: Record<string, number> = { changes_since_save: changes, aof_enabled: aofOn ? 1 : 0 };
  if (ageS !== undefined) metrics.last_save_age_h = round(ageH);
  if (status !== 'ok') {
    lines.push(
      'Fix: read the server log for the failing fork or write (disk full, permissions of `dir`, fork failing for lack of memory: vm.overcommit_memory=1); ' +
        'check free space where CONFIG GET dir points; BGSAVE once it is fixed, and watch rdb_last_bgsave_status.',
    );
  }
  let title: string;
  if (problems.length) title = `Persistence: ${problems.join('; ')}`;
  else if (!aofOn && rdbOn === false) title = 'Persistence off (no RDB snapshots, no AOF): data lives in memory only';
  else {
    const parts: string[] = [];
    if (rdbOn === true) parts.push(`RDB last save ok${ageS !== undefined ? ` ${formatDuration(ageS)} ago` : ''}`);
    else if (rdbOn === undefined) parts.push('last RDB save ok (save setting unreadable)');
    if (aofOn) parts.push('AOF writes ok');
    if (rdbOn === false) parts.push('RDB off');
    title = `Persistence: ${parts.join('; ')}`;
  }
  return [finding('persistence', status, title, { detail: lines.join('\n'), metrics })];
}
