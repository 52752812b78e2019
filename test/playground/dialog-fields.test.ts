// The dialogs the bot opens, read for the playground's page and rendered as forms: the Declare
// dialog as the real handler of a report's Declare button opens it, and the Scale dialog's shape
// (built by remedy-interactions.ts's inputView, which is not exported and needs a recorded
// confirmation in PostgreSQL) from the same catalogue entry; an element the page cannot show is
// refused by name.
import { describe, expect, it } from 'vitest';
import { findAction } from '../../src/actions/action-catalogue.ts';
import { dialogFields } from '../../src/playground/dialog-fields.ts';
import { renderDialogHtml } from '../../src/playground/render-dialog-html.ts';
import { cutText } from '../../src/render/cut-text.ts';
import { escapeMrkdwn } from '../../src/slack/escape-mrkdwn.ts';
import { INCIDENT_INTERACTIONS } from '../../src/slack/interactions/incident-interactions.ts';
import type { DialogView, Edge, Press } from '../../src/slack/interactions/interaction.ts';
import { REMEDY_INPUT_VIEW } from '../../src/slack/interactions/remedy-interactions.ts';

/** The view the real Declare button handler opens for a report of `target`. */
async function declareView(title: string, target: string): Promise<DialogView> {
  const opened: DialogView[] = [];
  const answered: unknown[] = [];
  const edge = {
    services: { incidents: {}, log: { warn: () => undefined, error: () => undefined, info: () => undefined } },
    openDialog: async (_trigger: string, view: DialogView) => void opened.push(view),
    answer: async (m: unknown) => void answered.push(m),
  } as unknown as Edge;
  const press: Press = { user: 'U0ME', channel: 'C0OPS', messageTs: '1.2', threadTs: '1.2', messageKey: 'k', triggerId: 't', actionId: 'incident:declare' };
  const report = { target, kind: 'postgres', status: 'crit', startedAt: '2026-12-02T10:00:00.000Z', findings: [{ check: 'postgres.locks', status: 'crit', title: 'a lock held' }] };
  await INCIDENT_INTERACTIONS['incident.declare'].handle({ intent: 'incident.declare', title, report }, press, edge);
  expect(answered).toEqual([]);
  expect(opened).toHaveLength(1);
  return opened[0]!;
}

/** The Scale dialog as remedy-interactions.ts's inputView builds it for k8s.scale. */
function scaleView(): DialogView {
  const spec = findAction('k8s.scale')!;
  const input = spec.input!;
  return {
    type: 'modal',
    callback_id: REMEDY_INPUT_VIEW,
    private_metadata: JSON.stringify({ confirmation: 'abcdefgh12' }),
    notify_on_close: true,
    title: { type: 'plain_text', text: cutText(spec.title, 24) },
    submit: { type: 'plain_text', text: cutText(spec.title, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cutText(escapeMrkdwn(spec.describe({ kind: 'deployment', name: 'web<1>' }, 'prod')), 3000) } },
      {
        type: 'input',
        block_id: 'value',
        label: { type: 'plain_text', text: `${input.label} (${input.min}–${input.max})` },
        element: { type: 'plain_text_input', action_id: 'value', placeholder: { type: 'plain_text', text: `${input.min}–${input.max}` } },
      },
    ],
  };
}

describe('dialogFields', () => {
  it("reads the Declare dialog the report's button opens: title, severity, the words about the report", async () => {
    const d = dialogFields(await declareView('db-main: CRIT <b>locks</b>', 'db-main'));
    expect(d).toEqual({
      title: 'Declare incident',
      submitLabel: 'Declare',
      closeLabel: 'Cancel',
      intro: ['The report of db-main is attached to the incident.'],
      fields: [
        { kind: 'text', blockId: 'title', actionId: 'title', label: 'Title', initial: 'db-main: CRIT <b>locks</b>' },
        {
          kind: 'select',
          blockId: 'severity',
          actionId: 'severity',
          label: 'Severity',
          options: [1, 2, 3, 4].map((s) => ({ value: `sev${s}`, text: `SEV-${s}` })),
          initial: 'sev2',
        },
      ],
      notifyOnClose: false,
    });
  });

  it('reads the Scale dialog: its description, a number with a placeholder, told when closed', () => {
    const d = dialogFields(scaleView());
    expect(d.title).toBe('Scale');
    expect(d.submitLabel).toBe('Scale');
    expect(d.notifyOnClose).toBe(true);
    expect(d.intro).toHaveLength(1);
    expect(d.intro[0]).toContain('web<1>');
    expect(d.fields).toEqual([{ kind: 'text', blockId: 'value', actionId: 'value', label: 'Replicas (0–100)', placeholder: '0–100' }]);
  });

  it('refuses an element it cannot show, naming it and the ones it shows', () => {
    const view = scaleView();
    view.blocks = [{ type: 'input', block_id: 'when', label: { type: 'plain_text', text: 'When' }, element: { type: 'datepicker', action_id: 'when' } }];
    expect(() => dialogFields(view)).toThrow('dialog "remedy-input" block 0 ("when"): element type "datepicker" is not one the playground can show (it shows plain_text_input, static_select)');
  });

  it('refuses a block it cannot show, naming it', () => {
    const view = scaleView();
    view.blocks = [{ type: 'actions', elements: [] }];
    expect(() => dialogFields(view)).toThrow('block type "actions" is not one the playground can show (it shows input, section, context, divider, header)');
  });
});

describe('renderDialogHtml', () => {
  it('renders the Declare dialog as a form: named inputs with their initial values, an error place per field, escaped', async () => {
    const view = await declareView('db-main: <script>alert(1)</script>', 'db-<i>main</i>');
    const html = renderDialogHtml({ id: 'd1"x', callbackId: view.callback_id, signedMetadata: 's', openedAt: '2026-12-02T10:00:00.000Z', ...dialogFields(view) });
    expect(html).not.toMatch(/<script|<i>| style=|\son[a-z]+=/);
    expect(html.startsWith('<form class="dialog" data-dialog="d1&quot;x"')).toBe(true);
    expect(html).toContain('>Declare incident</h2>');
    expect(html).toContain('<p class="dialog-intro">The report of db-&lt;i&gt;main&lt;/i&gt; is attached to the incident.</p>');
    expect(html).toContain('name="title.title" data-block-id="title" data-action-id="title" required value="db-main: &lt;script&gt;alert(1)&lt;/script&gt;">');
    expect(html).toContain('<select id="dialog-d1&quot;x-1" name="severity.severity" data-block-id="severity" data-action-id="severity" required>');
    expect(html).toContain('<option value="sev2" selected>SEV-2</option>');
    expect(html).toContain('data-error-for="title"');
    expect(html).toContain('data-error-for="severity"');
    expect(html).toContain('<button type="button" class="btn" data-dialog-close>Cancel</button>');
    expect(html).toContain('<button type="submit" class="btn primary">Declare</button>');
  });

  it('renders optional, multiline and unchosen inputs', () => {
    const html = renderDialogHtml({
      id: 'd2',
      callbackId: 'c',
      signedMetadata: 's',
      openedAt: '2026-12-02T10:00:00.000Z',
      title: 'Note',
      submitLabel: 'Submit',
      closeLabel: 'Cancel',
      intro: [],
      notifyOnClose: false,
      fields: [
        { kind: 'text', blockId: 'b', actionId: 'a', label: 'Why', multiline: true, optional: true, initial: 'x & y' },
        { kind: 'select', blockId: 's', actionId: 's', label: 'Pick', options: [{ value: '1', text: 'One' }] },
      ],
    });
    expect(html).toContain('<textarea id="dialog-d2-0" name="b.a" data-block-id="b" data-action-id="a" rows="4">\nx &amp; y</textarea>');
    expect(html).toContain('(optional)');
    expect(html).toContain('<option value="">Choose…</option><option value="1">One</option>');
  });
});
