// A diagnostics report as a Block Kit message. Layout only: every length was already cut to
// Slack's limits by toDisplayReport.
import { cutText, toDisplayReport } from '../render/display-report.ts';
import { findAction } from '../actions/action-catalogue.ts';
import type { DisplayFinding, DisplayReport } from '../render/display-report.ts';
import { sortFindings, type Report, type Status } from '../report.ts';
import { DECLARE_INCIDENT_ACTION, type DeclarePayload } from './handle-incident-buttons.ts';
import { escapeMrkdwn, mrkdwnLength } from './message-blocks.ts';
import type { SlackMessage } from './message-blocks.ts';

export const STATUS_EMOJI: Record<Status, string> = {
  crit: ':red_circle:',
  warn: ':large_orange_circle:',
  unknown: ':white_circle:',
  ok: ':large_green_circle:',
};

export interface ReportBlocksOptions {
  /** URL where a runbook can be read; without one the runbook button sends `runbook:open`. */
  runbookUrl?: (id: string) => string | undefined;
  /** Remedies as buttons (default); false while no action runner is wired, so no button is dead. */
  remedyButtons?: boolean;
  /** A "Declare incident" button under a report with a critical finding (when incidents are set up). */
  declareIncident?: boolean;
}

/**
 * Buttons: `remedy:<action>` with value JSON {action, params, target} (a second button for the
 * same action in one finding gets `remedy:<action>:2`, as action ids must differ within a block,
 * so match on the `remedy:` prefix and read the action from the value); `runbook:open` with the
 * runbook id as value, or with a url when runbookUrl gives one.
 */
export function renderReportBlocks(report: Report, options: ReportBlocksOptions = {}): SlackMessage {
  const d = toDisplayReport(report, {
    measure: mrkdwnLength,
    ...(options.runbookUrl && { runbookUrl: options.runbookUrl }),
  });
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: `${STATUS_EMOJI[d.status]} ${d.headline}`, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(d) }] },
  ];
  for (const f of d.findings) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: findingText(f) } });
    const buttons = findingButtons(f, options.remedyButtons ?? true, report.target);
    if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  }
  if (options.declareIncident && report.status === 'crit') blocks.push(declareButton(report));
  if (d.omittedLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `_${escapeMrkdwn(d.omittedLine)}_` }] });
  if (d.okLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${STATUS_EMOJI.ok} ${escapeMrkdwn(d.okLine)}` }] });
  return { text: fallbackText(d), blocks };
}

/** The button value carries the prefilled title and the report's not-ok findings, within Slack's 2,000 characters. */
function declareButton(report: Report): object {
  const bad = sortFindings(report.findings).filter((f) => f.status !== 'ok');
  const payload: DeclarePayload = {
    title: cutText(`${report.target}: ${bad[0]?.title ?? 'critical'}`, 150),
    report: { target: report.target, kind: report.kind, status: report.status, startedAt: report.startedAt, findings: [] },
  };
  for (const f of bad) {
    const next = { check: f.check, status: f.status, title: cutText(f.title, 150) };
    if (JSON.stringify({ ...payload, report: { ...payload.report, findings: [...payload.report.findings, next] } }).length > 1_900) break;
    payload.report.findings.push(next);
  }
  return {
    type: 'actions',
    elements: [{ type: 'button', style: 'danger', text: { type: 'plain_text', text: ':rotating_light: Declare incident', emoji: true }, action_id: DECLARE_INCIDENT_ACTION, value: JSON.stringify(payload) }],
  };
}

function contextLine(d: DisplayReport): string {
  const started = Date.parse(d.startedAt);
  // <!date^…|fallback> shows the time in each reader's own time zone.
  const when = Number.isFinite(started)
    ? `<!date^${Math.floor(started / 1000)}^{date_short_pretty} {time_secs}|${new Date(started).toISOString()}>`
    : escapeMrkdwn(d.startedAt.slice(0, 40));
  return `in ${d.duration} · ${when}`;
}

function findingText(f: DisplayFinding): string {
  let text = `*${STATUS_EMOJI[f.status]} ${escapeMrkdwn(f.title)}*`;
  if (f.detail.length > 0) text += `\n\`\`\`\n${f.detail.map(escapeMrkdwn).join('\n')}\n\`\`\``;
  if (f.note) text += `\n_${escapeMrkdwn(f.note)}_`;
  return text;
}

function findingButtons(f: DisplayFinding, withRemedies: boolean, target: string): object[] {
  const seen = new Map<string, number>();
  const buttons: object[] = (withRemedies ? f.remedies : []).map((r) => {
    const n = (seen.get(r.action) ?? 0) + 1;
    seen.set(r.action, n);
    const spec = findAction(r.action);
    return {
      type: 'button',
      text: { type: 'plain_text', text: r.label, emoji: true },
      action_id: n === 1 ? `remedy:${r.action}` : `remedy:${r.action}:${n}`,
      value: r.value,
      // Destructive actions ask first, saying exactly what will happen; one that asks for a value
      // (Scale) opens a dialog that says it instead.
      ...(spec?.destructive && {
        style: 'danger',
      }),
      ...(spec?.destructive && !spec.input && {
        style: 'danger',
        confirm: {
          title: { type: 'plain_text', text: cutText(`${spec.title}?`, 100) },
          text: { type: 'mrkdwn', text: cutText(escapeMrkdwn(spec.describe(r.params, target)), 300) },
          confirm: { type: 'plain_text', text: 'Run it' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      }),
    };
  });
  if (f.runbook) {
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: ':book: Runbook', emoji: true },
      action_id: 'runbook:open',
      ...(f.runbook.url !== undefined ? { url: f.runbook.url } : { value: f.runbook.id }),
    });
  }
  return buttons;
}

/** ":red_circle: db-main (postgres): CRIT (1 crit, 2 warn, 12 ok)", for notifications. */
function fallbackText(d: DisplayReport): string {
  const counts = (['crit', 'warn', 'unknown', 'ok'] as const)
    .filter((s) => d.counts[s] > 0)
    .map((s) => `${d.counts[s]} ${s}`)
    .join(', ');
  return `${STATUS_EMOJI[d.status]} ${escapeMrkdwn(d.headline)}${counts ? ` (${counts})` : ''}`;
}
