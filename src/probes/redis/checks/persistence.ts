// RDB snapshots and the AOF: a failed background save or AOF write is critical (the data on disk
// is stale, and with stop-writes-on-bgsave-error writes are refused: PING answers MISCONF, and the
// finding says so, with the directory the save writes to). An old last save with
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
  const [save, stopWrites] = await Promise.all([ctx.config('save'), ctx.config('stop-writes-on-bgsave-error')]);
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

  // Redis refuses writes after a failed save when save points are set, stop-writes-on-bgsave-error is yes and it is a master.
  const misconf = ctx.pingReply?.code === 'MISCONF';
  const writesRefused = misconf || (bgsaveErr && rdbOn === true && stopWrites.ok && stopWrites.value === 'yes' && info.get('role') === 'master');
  if (misconf) lines.push(`PING answers: ${ctx.pingReply!.message}`);
  if (bgsaveErr || misconf) {
    statuses.push('crit');
    problems.push(writesRefused ? 'last background save failed: writes refused (MISCONF)' : 'last background save failed');
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
  let fix: string | undefined;
  if (status !== 'ok') fix = await persistenceFix(ctx, { bgsaveErr: bgsaveErr || misconf, aofFailing: aofOn && (aofWriteErr || aofRewriteErr), writesRefused });
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
  return [finding('persistence', status, title, { detail: lines.join('\n'), metrics, ...(fix !== undefined && { fix }) })];
}

/** What to do, naming the directory the server writes to when CONFIG GET dir answers. */
async function persistenceFix(ctx: CheckContext, what: { bgsaveErr: boolean; aofFailing: boolean; writesRefused: boolean }): Promise<string> {
  const dir = await ctx.config('dir');
  const where = dir.ok && dir.value ? `\`${dir.value}\`` : 'the directory `CONFIG GET dir` names';
  const failed = [what.bgsaveErr ? 'rdb_last_bgsave_status is err' : undefined, what.aofFailing ? 'the AOF write or rewrite status is err' : undefined].filter((p) => p !== undefined);
  const parts = [
    failed.length
      ? `${failed.join(' and ')}: read the server log for the failing save (\`Failed opening\`, \`No space left on device\`, \`Can't save in background: fork\`)`
      : 'read the server log for the last save',
    `make ${where} writable by the user redis runs as and check its free space (\`df -h\`), or point \`dir\` at a writable disk (in the config file; CONFIG SET dir where enable-protected-configs allows it)`,
    'if fork fails for lack of memory, set vm.overcommit_memory=1',
    'then run BGSAVE and check that rdb_last_bgsave_status is ok again',
  ];
  if (what.writesRefused) parts.push('writes are accepted again after the next successful save (CONFIG SET stop-writes-on-bgsave-error no accepts them at once, at the risk of losing what is not on disk)');
  return `${parts.join('; ')}.`;
}
