// Recent Warning events grouped by reason, the top ones with their newest message. Mostly
// context for the other findings; reasons no other check covers (volumes, evictions, sandboxes)
// make it a warning.
import { formatCount, formatDuration } from '../../format.ts';
import { finding, type KubeCheck } from '../check-context.ts';

const TOP_REASONS = 6;
/** Reasons that point at trouble no other check reports. */
const UNCOVERED = new Set(['FailedMount', 'FailedAttachVolume', 'Evicted', 'FailedCreatePodSandBox', 'FailedKillPod', 'NetworkNotReady', 'FailedCreate', 'FailedSync']);

export const checkWarningEvents: KubeCheck = (ctx) => {
  const window = formatDuration(ctx.target.eventWindowMinutes * 60);
  const failed = ctx.snapshot.failed.find((f) => f.resource === 'events');
  if (failed) return [finding('warning_events', 'unknown', `Warning events: could not check (${failed.problem.text})`)];
  const { total, byReason } = ctx.snapshot.warningEvents;
  if (total === 0) return [finding('warning_events', 'ok', `No warning events in the last ${window}`)];
  const groups = [...byReason.entries()].sort((a, b) => b[1].count - a[1].count);
  const top = groups.slice(0, TOP_REASONS);
  const uncovered = groups.filter(([reason]) => UNCOVERED.has(reason)).map(([reason]) => reason);
  const title = `${formatCount(total)} warning events in the last ${window}: ${top.map(([r, g]) => `${r} ${formatCount(g.count)}`).join(', ')}${groups.length > TOP_REASONS ? ', …' : ''}`;
  const detail = top.map(([reason, g]) =>
    `${reason} ×${formatCount(g.count)} on ${g.objects.size} objects; newest: ${g.latest.involvedKind.toLowerCase()}/${g.latest.involvedName} in ${g.latest.namespace}: ${g.latest.message}`);
  return [finding('warning_events', uncovered.length > 0 ? 'warn' : 'ok', title, { detail: detail.join('\n'), metrics: { events: total, reasons: groups.length } })];
};
