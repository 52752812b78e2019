// Incidents through the real bot: /incident declare pages the on-call at once (DM and the
// incidents channel), the page's Acknowledge button stops the reminders, the timeline records it
// all; a critical report offers "Declare incident", whose dialog declares with the report attached.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { slashCommandBody, viewSubmissionBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { kubePod } from '../support/kube-objects.ts';
import { waitFor } from '../support/wait-for.ts';
import { useFakeKubeApi } from '../probes/kubernetes/kube-helpers.ts';
import { pressIncidentButton as pressIncidentButtonOf } from '../support/press-incident-button.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';

const k = useFakeKubeApi();
const t = useHttpTestBot(() => `targets:
  prod:
    kind: k8s
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop]
${INCIDENTS_YAML}`);

function command(text: string, responseId: string, userId = 'U0ALICE') {
  return t.send(slashCommandBody({ command: '/incident', text, responseUrl: t.slack.responseUrl(responseId), userId }));
}

/** Presses an incident button of the user's page (in their DM with the bot). */
function pressIncidentButton(actionId: string, incidentId: number, userId: string, responseId: string) {
  return pressIncidentButtonOf(t, actionId, incidentId, userId, { responseId });
}

async function latestIncident(): Promise<{ id: number; status: string; report: unknown; title: string; severity: number }> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT id::int, status, report, title, severity FROM incidents ORDER BY id DESC LIMIT 1');
    return rows[0];
  } finally {
    await c.end();
  }
}

describe('/incident', () => {
  it('declare pages the on-call by DM and in the incidents channel; Acknowledge on the page stops it; the timeline has it all', async () => {
    expect((await command('declare sev1 Checkout <!channel> fails', 'd')).status).toBe(200);
    await t.slack.waitFor(() => t.slack.messagesIn('DU0ONCALL').length === 1 && t.slack.messagesIn('C0INCIDENTS').length >= 2);
    const { id } = await latestIncident();
    const dm = t.slack.messagesIn('DU0ONCALL')[0]!;
    expect(dm.text).toContain(`SEV-1 INC-${id}: Checkout ‹!channel› fails`);
    expect(dm.metadata?.event_payload.key).toBe(`INC-${id}/sev1:s0a0/dm:U0ONCALL`);
    const mention = t.slack.messagesIn('C0INCIDENTS').find((m) => m.metadata)!;
    expect(mention.text).toMatch(/^<!here> <@U0ONCALL> /);
    const announce = t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0OPS')!;
    expect(String(announce.args.text)).toContain(`<@U0ALICE> declared *SEV-1 INC-${id}*`);

    await pressIncidentButton('incident:ack', id, 'U0ONCALL', 'ack');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'ack'));
    expect(callText(t.slack.calls.find((c) => c.responseId === 'ack')!)).toContain(`INC-${id} acknowledged.`);
    expect((await latestIncident()).status).toBe('acknowledged');
    // The incidents channel message now says who acknowledged.
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && callText(c).includes('Acknowledged by <@U0ONCALL>')));

    // Without access rules any member may add a note.
    await command(`note INC-${id} rolled back to 1.4.2`, 'n', 'U0BOB');
    await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 'n'));
    await command(`show ${id}`, 's');
    await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 's'));
    const shown = callText(t.slack.calls.find((c) => c.responseId === 's')!);
    expect(shown).toMatch(/Declared SEV-1: Checkout[\s\S]*Paged on-call: <@U0ONCALL> by DM[\s\S]*Acknowledged by <@U0ONCALL>[\s\S]*<@U0BOB>: rolled back to 1.4.2/);

    await command(`resolve INC-${id}`, 'r');
    await waitFor(async () => (await latestIncident()).status === 'resolved', 10_000, 'the resolve');
    await command(`ack INC-${id}`, 'again');
    await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 'again'));
    expect(callText(t.slack.calls.find((c) => c.responseId === 'again')!)).toContain(`INC-${id} was resolved by <@U0ALICE>`);
    // Every change is audited, the refused one too.
    const c = new pg.Client({ connectionString: inject('pgUrl') });
    await c.connect();
    try {
      const { rows } = await c.query<{ actor: string; action: string; outcome: string }>('SELECT actor, action, outcome FROM audit_log WHERE target = $1 ORDER BY id', [`INC-${id}`]);
      expect(rows).toEqual([
        { actor: 'U0ALICE', action: 'incident.declare', outcome: 'succeeded' },
        { actor: 'U0ONCALL', action: 'incident.ack', outcome: 'succeeded' },
        { actor: 'U0BOB', action: 'incident.note', outcome: 'succeeded' },
        { actor: 'U0ALICE', action: 'incident.resolve', outcome: 'succeeded' },
        { actor: 'U0ALICE', action: 'incident.ack', outcome: 'refused' },
      ]);
    } finally {
      await c.end();
    }
  });

  it('bad input is named with what is accepted', async () => {
    await command('declare sev7 broken', 'a');
    await command('show INC-x', 'b');
    await command('frobnicate', 'c');
    await t.slack.waitFor((calls) => ['a', 'b', 'c'].every((id) => calls.some((c) => c.responseId === id)));
    const said = (id: string) => callText(t.slack.calls.find((c) => c.responseId === id)!);
    expect(said('a')).toContain('\\"sev7\\" is not a severity; accepted: sev1, sev2, sev3, sev4');
    expect(said('b')).toContain('\\"INC-x\\" is not an incident id; use INC-42 or 42');
    expect(said('c')).toContain('unknown subcommand \\"frobnicate\\"; accepted: declare');
  });

  it('a critical report offers Declare incident; the dialog declares it with the report attached', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'web-1', containers: [{ name: 'web', ready: false, restartCount: 9, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    await t.send(slashCommandBody({ command: '/diag', text: 'k8s', responseUrl: t.slack.responseUrl('diag') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && callText(c).includes('incident:declare')));
    const report = t.slack.callsTo('chat.update').find((c) => callText(c).includes('incident:declare'))!;
    const declare = (report.args.blocks as Array<{ elements?: Array<{ action_id: string; value: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'incident:declare')!;
    expect(declare.value.length).toBeLessThanOrEqual(2_000);
    await t.send(new URLSearchParams({ payload: JSON.stringify({
      type: 'block_actions', team: { id: 'T0FAKE' }, user: { id: 'U0ALICE' }, api_app_id: 'A0APP', token: 't', trigger_id: '1234.5678.abcdef',
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0OPS' }, channel: { id: 'C0OPS' }, response_url: t.slack.responseUrl('x'),
      actions: [{ type: 'button', action_id: 'incident:declare', block_id: 'b', value: declare.value, action_ts: '1' }],
    }) }).toString());
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'views.open'));
    const raw = t.slack.callsTo('views.open')[0]!.args.view;
    const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { callback_id: string; private_metadata: string; blocks: Array<{ element?: { initial_value?: string } }> };
    expect(view.blocks[0]!.element!.initial_value).toMatch(/^prod: deployment|^prod: pod\/web-1/);
    // A title with a control character is refused on the field itself, and nothing is declared.
    const before = await latestIncident();
    for (const bad of ['db down\u0000x', 'db \u202Edown', 'db\u0007 down']) {
      const res = await t.send(viewSubmissionBody({
        callbackId: view.callback_id, privateMetadata: view.private_metadata,
        values: { title: { title: { type: 'plain_text_input', value: bad } }, severity: { severity: { type: 'static_select', selected_option: { value: 'sev2' } } as never } },
      }));
      expect(await res.json()).toEqual({ response_action: 'errors', errors: { title: expect.stringMatching(/^the title has an invisible control character U\+(0000|202E|0007) at position \d+/) } });
    }
    expect((await latestIncident())?.id).toBe(before?.id);
    await t.send(viewSubmissionBody({
      callbackId: view.callback_id, privateMetadata: view.private_metadata,
      values: { title: { title: { type: 'plain_text_input', value: 'web crashlooping in shop' } }, severity: { severity: { type: 'static_select', selected_option: { value: 'sev2' } } as never } },
    }));
    await waitFor(async () => (await latestIncident())?.title === 'web crashlooping in shop', 10_000, 'the incident to be declared');
    const incident = await latestIncident();
    expect(incident.severity).toBe(2);
    expect(incident.report).toMatchObject({ target: 'prod', kind: 'k8s', status: 'crit', findings: expect.arrayContaining([expect.objectContaining({ check: 'k8s.crashloop', status: 'crit' })]) });
  });
});
