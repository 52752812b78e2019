// The buttons of incidents and pages (Acknowledge, Escalate now, Resolve), and "Declare incident"
// on a report with a critical finding: a dialog with the title prefilled, the report attached.
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { AppServices } from '../app-services.ts';
import { describeErrorForUser } from '../answer-error.ts';
import { incidentRef } from '../incidents/incident.ts';
import { parseSeverity, severityLabel } from '../incidents/ladder.ts';
import { cutText } from '../render/display-report.ts';
import { INCIDENT_ACTIONS } from './incident-blocks.ts';
import { errorMessage, escapeMrkdwn, textMessage } from './message-blocks.ts';
import { incidentRefusalMessage } from './incident-refusal.ts';
import type { ActorInput } from '../incidents/incident-service.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { sealView } from './seal-message.ts';
import { UserError } from '../user-error.ts';
import { cleanTypedText } from '../clean-command-text.ts';

export const DECLARE_INCIDENT_ACTION = 'incident:declare';
const DECLARE_VIEW = 'incident-declare';

/** What a report's Declare button carries: a prefilled title and the report's findings that are not ok. */
export interface DeclarePayload {
  title: string;
  report: { target: string; kind: string; status: string; startedAt: string; findings: Array<{ check: string; status: string; title: string }> };
}

export function handleIncidentButtons(app: App, services: AppServices, signer: ValueSigner): void {
  const doers = {
    [INCIDENT_ACTIONS.ack]: { run: (id: number, actor: ActorInput) => services.incidents!.acknowledge(id, actor), said: 'acknowledged' },
    [INCIDENT_ACTIONS.escalate]: { run: (id: number, actor: ActorInput) => services.incidents!.escalate(id, actor), said: 'escalated: the next level is paged now' },
    [INCIDENT_ACTIONS.resolve]: { run: (id: number, actor: ActorInput) => services.incidents!.resolve(id, actor), said: 'resolved' },
  };
  for (const [actionId, doer] of Object.entries(doers)) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      const ephemeral = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...textMessage(text) } as never);
      try {
        if (!services.incidents) throw new Error('incidents are not configured');
        const id = incidentId(action.value);
        await doer.run(id, { user: body.user.id, ...((body.container?.channel_id ?? body.channel?.id) && { channel: body.container?.channel_id ?? body.channel?.id }) });
        await ephemeral(`${incidentRef(id)} ${doer.said}.`);
      } catch (error) {
        // Not allowed, or escalated moments ago: who could do it, or when, with mentions.
        const refusal = incidentRefusalMessage(error, 'press');
        if (refusal) return void (await respond({ response_type: 'ephemeral', replace_original: false, ...refusal } as never).catch(() => undefined));
        const text = describeErrorForUser(error, services.log, { action: actionId, user: body.user.id });
        await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
      }
    });
  }

  app.action<BlockAction<ButtonAction>>(DECLARE_INCIDENT_ACTION, async ({ ack, action, body, client, respond }) => {
    await ack();
    try {
      if (!services.incidents) throw new Error('incidents are not configured');
      const payload = JSON.parse(action.value ?? '{}') as DeclarePayload;
      const channel = body.container?.channel_id ?? body.channel?.id ?? '';
      await client.views.open({
        trigger_id: body.trigger_id,
        view: sealView({
          type: 'modal',
          callback_id: DECLARE_VIEW,
          private_metadata: JSON.stringify({ report: payload.report, channel }),
          title: { type: 'plain_text', text: 'Declare incident' },
          submit: { type: 'plain_text', text: 'Declare' },
          close: { type: 'plain_text', text: 'Cancel' },
          blocks: [
            { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'title', initial_value: cutText(payload.title ?? '', 150) } },
            {
              type: 'input', block_id: 'severity', label: { type: 'plain_text', text: 'Severity' },
              element: {
                type: 'static_select', action_id: 'severity',
                initial_option: { text: { type: 'plain_text', text: 'SEV-2' }, value: 'sev2' },
                options: [1, 2, 3, 4].map((s) => ({ text: { type: 'plain_text', text: `SEV-${s}` }, value: `sev${s}` })),
              },
            },
            { type: 'context', elements: [{ type: 'mrkdwn', text: cutText(`The report of *${escapeMrkdwn(payload.report?.target ?? '?')}* is attached to the incident.`, 300) }] },
          ],
        }, signer) as never,
      });
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: DECLARE_INCIDENT_ACTION, user: body.user.id });
      await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
    }
  });

  app.view<ViewSubmitAction>(DECLARE_VIEW, async ({ ack, view, body, client }) => {
    const severity = parseSeverity(view.state.values.severity?.severity?.selected_option?.value ?? '');
    let title: string;
    try {
      title = cleanTypedText(view.state.values.title?.title?.value ?? '', 'the title');
    } catch (error) {
      // Said on the field itself, as Slack shows a dialog's errors.
      await ack({ response_action: 'errors', errors: { title: (error as Error).message } });
      return;
    }
    if (!title) {
      await ack({ response_action: 'errors', errors: { title: 'say in a few words what is wrong' } });
      return;
    }
    await ack();
    const meta = parseMeta(view.private_metadata);
    try {
      const incident = await services.incidents!.declare({ severity: severity ?? 2, title, commander: body.user.id, report: meta.report, ...(meta.channel && { channel: meta.channel }) });
      if (meta.channel) {
        await client.chat.postMessage({ channel: meta.channel, text: `:rotating_light: <@${body.user.id}> declared ${severityLabel(incident.severity)} ${incidentRef(incident.id)}: ${escapeMrkdwn(incident.title)}` });
      }
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: DECLARE_VIEW, user: body.user.id });
      const refusal = incidentRefusalMessage(error, 'press');
      const said = refusal?.text ?? `:x: ${escapeMrkdwn(text)}`;
      // In the channel the dialog came from, or else directly to the presser: never unanswered.
      await (meta.channel ? client.chat.postEphemeral({ channel: meta.channel, user: body.user.id, text: said }) : client.chat.postMessage({ channel: body.user.id, text: said }))
        .catch((err: unknown) => services.log.warn({ err }, 'while answering a Declare dialog'));
    }
  });
}

/** The incident id a button carries: a positive whole number, or a refusal naming what came. */
function incidentId(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw new UserError(`this button names no incident ("${cutText(value ?? '', 30)}"): use /incident list`);
  return Number(value);
}

/** The dialog's metadata as the bot wrote it (signature already checked); anything else is empty. */
function parseMeta(text: string): { report?: unknown; channel?: string } {
  try {
    const v = JSON.parse(text) as { report?: unknown; channel?: unknown };
    return { report: v.report, ...(typeof v.channel === 'string' && /^[CDG][A-Z0-9]{2,20}$/.test(v.channel) && { channel: v.channel }) };
  } catch {
    return {};
  }
}
