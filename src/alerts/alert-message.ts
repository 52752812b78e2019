// An alert group's one message: the alert's name, what it says (summary, description), the labels
// that tell where, since when it fires (or that it resolved, after how long), how often it
// flapped, and its alerts with what sets each apart and a link to its source. Everything in it
// came from outside: it is plain text in the neutral message (the renderer escapes it), cut to
// bounds, and the alerts beyond a few are counted, not listed. Alerts Alertmanager left out of its
// notification (max_alerts) are counted as "+N not listed": the list never passes for complete.
import { context, date, header, icon, line, link, spans, strong, code, user, type Block, type Line, type Message, type Paragraph, type Span } from '../message/message.ts';
import type { IconName } from '../message/icon-name.ts';
import { formatDuration } from '../probes/format.ts';
import type { ReceivedAlert } from './alertmanager-payload.ts';
import type { AlertGroup } from './alert-store.ts';
import { incidentRef } from '../incidents/incident.ts';
import { voteCountsText } from './vote-counts-text.ts';
import { SILENCE_MINUTES, silenceDuration } from './silence-target.ts';

/** Alerts listed one by one; the rest are counted. */
const LISTED_ALERTS = 8;
/** Labels shown for the group, and for each alert. */
const GROUP_LABELS = 10;
const ALERT_LABELS = 6;
const SUMMARY_CHARS = 300;
const DESCRIPTION_CHARS = 1_200;
const LABEL_CHARS = 120;

/**
 * Labels that say nothing to the reader: where the rule was evaluated (HA Prometheus replicas,
 * remote-write receivers), Alertmanager's internals. `endpoint`/`container` repeat what `pod` says.
 */
const NOISY = new Set(['prometheus', 'prometheus_replica', 'replica', 'receive', 'tenant_id', 'endpoint', 'container', 'uid', 'id', 'image']);
/** Shown in the header, or as the severity. */
const SHOWN_ELSEWHERE = new Set(['alertname']);

export function alertMessage(g: Pick<AlertGroup, 'status' | 'alerts' | 'commonLabels' | 'firingSince' | 'resolvedAt' | 'flaps' | 'externalUrl' | 'targets'> & Partial<Pick<AlertGroup, 'id' | 'episode' | 'incidentId' | 'incidentEpisode' | 'votes' | 'silence' | 'unlisted'>>, offer: { silenceVia?: string } = {}): Message {
  const alerts = [...g.alerts].sort(byFiringThenStart);
  const name = g.commonLabels.alertname ?? alerts[0]?.labels.alertname ?? 'Alert';
  const firing = alerts.filter((a) => a.status === 'firing');
  const resolved = g.status === 'resolved';
  const severity = g.commonLabels.severity ?? firing[0]?.labels.severity;
  const iconName: IconName = resolved ? 'ok' : /^(critical|crit|page|error|high)$/i.test(severity ?? '') ? 'crit' : 'warn';
  const unlisted = g.unlisted ?? 0;
  // Alerts not listed may be firing too: the count is a least one then ("3+").
  const title = `${resolved ? 'Resolved' : 'Firing'}: ${cut(name, 100)}${!resolved && (firing.length > 1 || unlisted > 0) ? ` (${firing.length}${unlisted > 0 ? '+' : ''})` : ''}`;
  const blocks: Block[] = [header(title, iconName)];

  const annotations = commonAnnotations(alerts);
  const said: Paragraph[] = [];
  if (annotations.summary) said.push(line(strong(cut(annotations.summary, SUMMARY_CHARS))));
  if (annotations.description) said.push(line(cut(annotations.description, DESCRIPTION_CHARS)));
  if (said.length > 0) blocks.push({ type: 'section', paragraphs: said });

  const fields: Array<{ label: string; value: Line }> = [];
  fields.push({ label: resolved ? 'Resolved' : 'Firing since', value: state(g) });
  fields.push({ label: 'Alerts', value: spans(`${counts(alerts.length, firing.length)}${unlisted > 0 ? `, +${unlisted} not listed` : ''}`) });
  if (severity) fields.push({ label: 'Severity', value: spans(cut(severity, 40)) });
  if (g.flaps > 0) fields.push({ label: 'Flapping', value: spans(`fired again ${g.flaps === 1 ? 'once' : `${g.flaps} times`} after resolving`) });
  blocks.push({ type: 'fields', fields });

  const labels = shownLabels(g.commonLabels, new Set([...SHOWN_ELSEWHERE, 'severity']), GROUP_LABELS);
  if (labels.length > 0) blocks.push({ type: 'section', paragraphs: [line(...labels)] });

  // Each alert: what sets it apart from the others (its labels beyond the common ones), its own
  // summary when it differs, since when, and where it comes from.
  const items: Line[] = alerts.slice(0, LISTED_ALERTS).map((a) => alertLine(a, g.commonLabels, annotations.summary));
  // One alert is the group: the fields and the links below already say it all (unless others
  // were left out: then the list ends saying so).
  if (alerts.length > 1 || unlisted > 0) {
    const more = alerts.length > LISTED_ALERTS ? [spans(`and ${alerts.length - LISTED_ALERTS} more`)] : [];
    const left = unlisted > 0 ? [spans(`+${unlisted} not listed`)] : [];
    blocks.push({ type: 'section', paragraphs: [{ type: 'list', items: [...items, ...more, ...left] }] });
  }
  const source = alerts.find((a) => a.generatorURL)?.generatorURL;
  // The rule's runbook, as alert rules conventionally name it (a web address only: the renderer
  // shows anything else as text).
  const runbook = alerts.map((a) => a.annotations.runbook_url ?? a.annotations.runbook).find((u) => u !== undefined && u !== '');
  const links: Span[] = [];
  if (runbook) links.push(link(runbook, 'Runbook'));
  if (source) links.push(link(source, 'Source'));
  if (g.externalUrl) links.push(link(g.externalUrl, 'Alertmanager'));
  const foot = links.flatMap((l, i): Array<Span | string> => (i === 0 ? [l] : [' · ', l]));
  if (foot.length > 0) blocks.push(context(...foot));
  // The incident this episode declared (its card is in the incidents channel).
  if (g.incidentId != null && g.incidentEpisode === g.episode) blocks.push(context(icon('siren'), ` Declared incident ${incidentRef(g.incidentId)}`));
  // The route's targets: their reports follow in the thread, once per firing episode.
  if (g.targets.length > 0) blocks.push(context(icon('thread'), ` Diagnostics in the thread: ${g.targets.join(', ')}`));
  // Noise feedback on this episode (the weekly digest counts it), and what people said so far.
  if (g.id !== undefined && g.episode !== undefined) {
    blocks.push({ type: 'actions', buttons: [{ label: 'Useful', intent: { intent: 'alert.useful', group: g.id, episode: g.episode } }, { label: 'Noise', intent: { intent: 'alert.noise', group: g.id, episode: g.episode } }] });
    if (g.votes && g.votes.episode === g.episode && g.votes.noise + g.votes.useful > 0) blocks.push(context(voteCountsText(g.votes)));
  }

  blocks.push(...silenceBlocks(g, offer.silenceVia));

  const notification = spans(`${title}${annotations.summary ? ` — ${cut(annotations.summary, 150)}` : ''}`);
  return { notification, blocks };
}

/**
 * A firing group's Silence buttons, or the
 * silence made from Slack with its Expire button; nothing without an alertmanager target.
 */
function silenceBlocks(g: Pick<AlertGroup, 'status'> & Partial<Pick<AlertGroup, 'id' | 'episode' | 'silence'>>, via: string | undefined): Block[] {
  if (g.id === undefined || g.episode === undefined || g.status !== 'firing') return [];
  const s = g.silence;
  if (s) {
    if (s.id === null) return [context(icon('progress'), ' Being silenced by ', user(s.by))];
    const until = s.untilResolved ? 'until it resolves' : `until ${s.endsAt.toISOString().slice(11, 16)} UTC`;
    return [
      context(icon('stop'), ' Silenced by ', user(s.by), ` ${until} (${cut(s.via, 60)})`),
      { type: 'actions', buttons: [{ label: 'Expire silence', intent: { intent: 'alert.unsilence', group: g.id, silence: s.id } }] },
    ];
  }
  if (!via) return [];
  // A press asks the presser privately first, naming the matchers and the duration.
  return [{
    type: 'actions',
    buttons: SILENCE_MINUTES.map((minutes) => ({
      label: minutes === 0 ? 'Silence until resolved' : `Silence ${silenceDuration(minutes)}`,
      intent: { intent: 'alert.silence' as const, group: g.id!, episode: g.episode!, minutes },
    })),
  }];
}

function state(g: Pick<AlertGroup, 'status' | 'firingSince' | 'resolvedAt'>): Line {
  if (g.status === 'resolved') {
    const took = g.firingSince && g.resolvedAt ? formatDuration((g.resolvedAt.getTime() - g.firingSince.getTime()) / 1000) : undefined;
    return g.resolvedAt ? spans(date(g.resolvedAt), took ? ` after ${took}` : '') : spans('resolved');
  }
  return g.firingSince ? spans(date(g.firingSince)) : spans('unknown');
}

function counts(total: number, firing: number): string {
  if (firing === total) return `${total} firing`;
  if (firing === 0) return `${total} resolved`;
  return `${firing} firing, ${total - firing} resolved`;
}

function alertLine(a: ReceivedAlert, common: Record<string, string>, commonSummary: string | undefined): Line {
  const own = Object.fromEntries(Object.entries(a.labels).filter(([k, v]) => common[k] !== v));
  const parts: Array<Span | string> = [a.status === 'firing' ? strong('firing') : 'resolved', ' '];
  const labels = shownLabels(own, SHOWN_ELSEWHERE, ALERT_LABELS);
  if (labels.length > 0) parts.push(...labels, ' ');
  const summary = a.annotations.summary;
  if (summary && summary !== commonSummary) parts.push(cut(summary, SUMMARY_CHARS), ' ');
  parts.push('since ', date(a.startsAt, 'time'));
  if (a.status === 'resolved' && a.endsAt) parts.push(', resolved ', date(a.endsAt, 'time'));
  if (a.generatorURL) parts.push(' ', link(a.generatorURL, 'source'));
  return spans(...parts);
}

/**
 * The labels worth reading, as `name=value` code spans: without the noisy ones, and without one
 * whose value repeats another's (job "node-exporter" next to service "node-exporter"; instance
 * "10.0.0.7:9100" next to the pod or node it is).
 */
function shownLabels(labels: Record<string, string>, skip: ReadonlySet<string>, max: number): Span[] {
  // In order of what names the place best: of two labels with one value, the first is kept.
  const entries = Object.entries(labels).filter(([k]) => !skip.has(k) && !NOISY.has(k) && !k.startsWith('__'))
    .sort(([a], [b]) => priority(a) - priority(b) || a.localeCompare(b));
  const has = (k: string) => entries.some(([name]) => name === k);
  const kept = entries.filter(([k, v], i) => {
    if (entries.some(([k2, v2], j) => j < i && v2 === v && k2 !== k)) return false;
    if (k === 'instance' && /^[\d.:[\]a-f]+$/i.test(v) && (has('pod') || has('node'))) return false;
    return true;
  });
  const out: Span[] = [];
  for (const [k, v] of kept.slice(0, max)) out.push(...(out.length > 0 ? [spans(' ')[0]!] : []), code(`${cut(k, 40)}=${cut(v, LABEL_CHARS)}`));
  if (kept.length > max) out.push(spans(` +${kept.length - max} more`)[0]!);
  return out;
}

/** Where first: the labels that name the place of the trouble. */
function priority(label: string): number {
  const order = ['cluster', 'namespace', 'service', 'job', 'deployment', 'statefulset', 'daemonset', 'pod', 'node', 'instance'];
  const i = order.indexOf(label);
  return i === -1 ? order.length : i;
}

/** Summary and description: the group's common ones, else the first firing alert's. */
function commonAnnotations(alerts: readonly ReceivedAlert[]): { summary?: string; description?: string } {
  const pick = (key: string): string | undefined => {
    const values = new Set(alerts.map((a) => a.annotations[key]).filter((v): v is string => v !== undefined && v !== ''));
    if (values.size === 1) return [...values][0];
    return alerts.find((a) => a.status === 'firing' && a.annotations[key])?.annotations[key] ?? alerts.find((a) => a.annotations[key])?.annotations[key];
  };
  const summary = pick('summary') ?? pick('message');
  const description = pick('description');
  return { ...(summary && { summary }), ...(description && description !== summary && { description }) };
}

function byFiringThenStart(a: ReceivedAlert, b: ReceivedAlert): number {
  if (a.status !== b.status) return a.status === 'firing' ? -1 : 1;
  return a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.fingerprint.localeCompare(b.fingerprint);
}

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
