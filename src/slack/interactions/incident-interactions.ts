// The buttons of incidents and pages (Acknowledge, Escalate now, Resolve), and "Declare incident"
// on a report with a critical finding: a dialog with the title prefilled, the report attached.
import { describeErrorLine } from '../../answer-error.ts';
import { cleanTypedText } from '../../clean-command-text.ts';
import { incidentRef } from '../../incidents/incident.ts';
import type { ActorInput, IncidentService } from '../../incidents/incident-service.ts';
import { parseSeverity, severityLabel } from '../../incidents/ladder.ts';
import type { IncidentDeclareIntent } from '../../message/intent.ts';
import { errorMessage, icon, simpleMessage, user } from '../../message/message.ts';
import { cutText } from '../../render/cut-text.ts';
import { escapeMrkdwn } from '../escape-mrkdwn.ts';
import { incidentRefusalMessage } from '../../incidents/incident-refusal-message.ts';
import type { Decoded, DialogInteraction, DialogPress, Edge, InteractionFamily, IntentOf, Press } from './interaction.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const DECLARE_INCIDENT_ACTION = 'incident:declare';
/** The Declare dialog's callback id. */
export const DECLARE_VIEW = 'incident-declare';

/** What a report's Declare button carries: a prefilled title and the report's findings that are not ok. */
export type DeclarePayload = Omit<IncidentDeclareIntent, 'intent'>;

type MoveName = 'incident.ack' | 'incident.escalate' | 'incident.resolve';

/** Acknowledge, Escalate now, Resolve: the incident id in the value, what the service does, what the presser is told. */
function move<N extends MoveName>(intent: N, actionId: string, run: (incidents: IncidentService, id: number, actor: ActorInput) => Promise<unknown>, said: string) {
  return {
    intent,
    actionId,
    encode: (i: { incident: number }) => ({ actionId, value: String(i.incident) }),
    decode: (value: string): Decoded<IntentOf<N>> => {
      if (!/^[1-9]\d{0,15}$/.test(value)) return { ok: false, problem: `This button names no incident (${JSON.stringify(cutText(value, 30))}; an incident id is a positive whole number): use /incident list` };
      return { ok: true, intent: { intent, incident: Number(value) } as IntentOf<N> };
    },
    // Pages and the incident message: the incident message is re-signed at every change; a page
    // sent a week ago still acknowledges.
    ttlMs: 7 * DAY,
    fresh: 'use /incident show <id> or the latest page',
    async handle(i: { incident: number }, press: Press, edge: Edge): Promise<void> {
      try {
        if (!edge.services.incidents) throw new Error('incidents are not configured');
        await run(edge.services.incidents, i.incident, { user: press.user, ...(press.channel && { channel: press.channel }) });
        await edge.answer(simpleMessage(`${incidentRef(i.incident)} ${said}.`));
      } catch (error) {
        // Not allowed, or escalated moments ago: who could do it, or when, with mentions.
        const refusal = incidentRefusalMessage(error, 'press');
        if (refusal) return void (await edge.answer(refusal).catch(() => undefined));
        const text = describeErrorLine(error, edge.services.log, { action: actionId, user: press.user });
        await edge.answer(errorMessage(text)).catch(() => undefined);
      }
    },
  };
}

export const INCIDENT_INTERACTIONS = {
  'incident.ack': move('incident.ack', 'incident:ack', (s, id, actor) => s.acknowledge(id, actor), 'acknowledged'),
  'incident.escalate': move('incident.escalate', 'incident:escalate', (s, id, actor) => s.escalate(id, actor), 'escalated: the next level is paged now'),
  'incident.resolve': move('incident.resolve', 'incident:resolve', (s, id, actor) => s.resolve(id, actor), 'resolved'),
  'incident.declare': {
    intent: 'incident.declare',
    actionId: DECLARE_INCIDENT_ACTION,
    encode: (i) => ({ actionId: DECLARE_INCIDENT_ACTION, value: JSON.stringify({ title: i.title, report: i.report }) }),
    decode: decodeDeclare,
    ttlMs: DAY,
    fresh: 'run /diag again',
    handle: openDeclareDialog,
  },
} satisfies InteractionFamily;

/** The Declare dialog: submitting it declares the incident, with the report attached. */
export const DECLARE_DIALOG: DialogInteraction = {
  callbackId: DECLARE_VIEW,
  ttlMs: HOUR,
  fresh: 'press Declare incident on the report again',
  submit: submitDeclare,
};

function decodeDeclare(value: string): Decoded<IntentOf<'incident.declare'>> {
  const refused = (why: string) => ({ ok: false as const, problem: `This Declare button is not valid: ${why}: run /diag again` });
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return refused('its value is not JSON');
  }
  const o = v as { title?: unknown; report?: unknown } | null;
  if (!o || typeof o !== 'object' || typeof o.title !== 'string') return refused('it carries no title');
  const r = o.report as Partial<Record<'target' | 'kind' | 'status' | 'startedAt' | 'findings', unknown>> | null | undefined;
  if (!r || typeof r !== 'object' || typeof r.target !== 'string' || typeof r.kind !== 'string' || typeof r.status !== 'string' || typeof r.startedAt !== 'string' || !Array.isArray(r.findings)) {
    return refused('it carries no report ({target, kind, status, startedAt, findings})');
  }
  const findings: Array<{ check: string; status: string; title: string }> = [];
  for (const f of r.findings as unknown[]) {
    const g = f as { check?: unknown; status?: unknown; title?: unknown } | null;
    if (!g || typeof g.check !== 'string' || typeof g.status !== 'string' || typeof g.title !== 'string') return refused('a finding is not {check, status, title}');
    findings.push({ check: g.check, status: g.status, title: g.title });
  }
  return { ok: true, intent: { intent: 'incident.declare', title: o.title, report: { target: r.target, kind: r.kind, status: r.status, startedAt: r.startedAt, findings } } };
}

async function openDeclareDialog(intent: IntentOf<'incident.declare'>, press: Press, edge: Edge): Promise<void> {
  try {
    if (!edge.services.incidents) throw new Error('incidents are not configured');
    await edge.openDialog(press.triggerId, {
      type: 'modal',
      callback_id: DECLARE_VIEW,
      private_metadata: JSON.stringify({ report: intent.report, channel: press.channel }),
      title: { type: 'plain_text', text: 'Declare incident' },
      submit: { type: 'plain_text', text: 'Declare' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [
        { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'title', initial_value: cutText(intent.title, 150) } },
        {
          type: 'input', block_id: 'severity', label: { type: 'plain_text', text: 'Severity' },
          element: {
            type: 'static_select', action_id: 'severity',
            initial_option: { text: { type: 'plain_text', text: 'SEV-2' }, value: 'sev2' },
            options: [1, 2, 3, 4].map((s) => ({ text: { type: 'plain_text', text: `SEV-${s}` }, value: `sev${s}` })),
          },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: cutText(`The report of *${escapeMrkdwn(intent.report.target)}* is attached to the incident.`, 300) }] },
      ],
    });
  } catch (error) {
    const text = describeErrorLine(error, edge.services.log, { action: DECLARE_INCIDENT_ACTION, user: press.user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

async function submitDeclare(d: DialogPress, ack: (errors?: Record<string, string>) => Promise<void>, edge: Edge): Promise<void> {
  const severity = parseSeverity(d.values.severity?.severity?.selected_option?.value ?? '');
  let title: string;
  try {
    title = cleanTypedText(d.values.title?.title?.value ?? '', 'the title');
  } catch (error) {
    // Said on the field itself, as Slack shows a dialog's errors.
    await ack({ title: (error as Error).message });
    return;
  }
  if (!title) {
    await ack({ title: 'say in a few words what is wrong' });
    return;
  }
  await ack();
  const meta = declareMeta(d.metadata);
  try {
    const incident = await edge.services.incidents!.declare({ severity: severity ?? 2, title, commander: d.user, report: meta.report, ...(meta.channel && { channel: meta.channel }) });
    if (meta.channel) {
      await edge.post(meta.channel, simpleMessage(icon('siren'), ' ', user(d.user), ` declared ${severityLabel(incident.severity)} ${incidentRef(incident.id)}: ${incident.title}`));
    }
  } catch (error) {
    const text = describeErrorLine(error, edge.services.log, { action: DECLARE_VIEW, user: d.user });
    const said = incidentRefusalMessage(error, 'press') ?? errorMessage(text);
    // In the channel the dialog came from, or else directly to the presser: never unanswered.
    await (meta.channel ? edge.tell({ channel: meta.channel, user: d.user }, said) : edge.post(d.user, said))
      .catch((err: unknown) => edge.services.log.warn({ err }, 'while answering a Declare dialog'));
  }
}

/** The dialog's metadata as the bot wrote it (signature already checked); anything else is empty. */
function declareMeta(text: string): { report?: unknown; channel?: string } {
  try {
    const v = JSON.parse(text) as { report?: unknown; channel?: unknown };
    return { report: v.report, ...(typeof v.channel === 'string' && /^[CDG][A-Z0-9]{2,20}$/.test(v.channel) && { channel: v.channel }) };
  } catch {
    return {};
  }
}
