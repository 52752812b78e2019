// The playground's HTML renderer: every block and span kind, escaping of everything a message
// carries, links only to web addresses, buttons numbered as buttonsInOrder() counts them.
import { describe, expect, it } from 'vitest';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import type { Message } from '../../src/message/message.ts';
import { channel, code, command, context, date, em, group, header, icon, line, link, section, strong, text, user } from '../../src/message/message.ts';
import { buttonsInOrder } from '../../src/playground/buttons-in-order.ts';
import { escapeHtml } from '../../src/playground/escape-html.ts';
import type { PlaygroundMessage } from '../../src/playground/playground-types.ts';
import { renderMessageHtml } from '../../src/playground/render-html.ts';
import { renderPage } from '../../src/playground/render-page.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import type { Report } from '../../src/report.ts';
import { FIXTURES } from '../render/fixtures.ts';

const PEOPLE = new Map([
  ['U0ME', 'you'],
  ['U0ALICE', 'alice (placeholder)'],
]);
const O = { people: PEOPLE, viewer: 'U0ME', channels: new Map([['C0OPS', 'ops']]) };

function posted(message: Message, more: Partial<PlaygroundMessage> = {}): PlaygroundMessage {
  return { ts: '1764670000.000123', channel: 'C0OPS', message, buttons: buttonsInOrder(message).map((_, i) => ({ actionId: `a${i}`, value: 'v' })), nonce: 'n', postedAt: '2026-12-02T10:00:00.000Z', ...more };
}

/** The text a browser shows for the HTML: tags out, entities back (enough for these checks). */
function shown(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('escapeHtml', () => {
  it('escapes the five characters that can make markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
});

describe('renderMessageHtml', () => {
  it('is one article naming the message, its channel and its thread', () => {
    const html = renderMessageHtml(posted({ notification: [text('hi')], blocks: [section(line('hi'))] }, { threadTs: '1764670000.000001' }), O);
    expect(html.startsWith('<article class="msg" id="m-1764670000-000123" data-ts="1764670000.000123" data-channel="C0OPS" data-thread="1764670000.000001">')).toBe(true);
    expect(html.endsWith('</article>')).toBe(true);
    expect(html.match(/<article/g)).toHaveLength(1);
  });

  it('renders every block kind', () => {
    const message: Message = {
      notification: [text('n')],
      blocks: [
        header('db-main: CRIT', 'crit'),
        section(line('a line'), { type: 'code', lines: ['col  val', 'x    1'] }, { type: 'list', items: [[text('one')], [text('two')]] }),
        { type: 'fields', fields: [{ label: 'Severity', value: [strong('SEV-2')] }, { label: 'Owner', value: [user('U0ALICE')] }] },
        context('in 142 ms'),
        { type: 'divider' },
        { type: 'actions', buttons: [{ label: 'Details', intent: { intent: 'digest.details', report: 7 } }] },
      ],
    };
    const html = renderMessageHtml(posted(message), O);
    expect(html).toContain('<h3 class="header"><span class="icon status-crit" role="img" aria-label="critical">●</span> db-main: CRIT</h3>');
    expect(html).toContain('<p>a line</p>');
    expect(html).toContain('<pre><code>col  val\nx    1</code></pre>');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(html).toContain('<dl class="fields"><div class="field"><dt>Severity</dt><dd><strong>SEV-2</strong></dd></div><div class="field"><dt>Owner</dt>');
    expect(html).toContain('<div class="context">in 142 ms</div>');
    expect(html).toContain('<hr>');
    expect(html).toContain('<div class="actions"><button type="button" class="btn" data-ts="1764670000.000123" data-button="0">Details</button></div>');
  });

  it('renders every span kind', () => {
    const spans = [
      strong('bold'),
      em('soft'),
      code('x = 1'),
      user('U0ALICE'),
      user('U0ME'),
      user('U0NOBODY'),
      group('S0DBA'),
      channel('C0OPS'),
      channel('C0ELSE'),
      { type: 'broadcast' as const, to: 'here' as const },
      { type: 'broadcast' as const, to: 'channel' as const },
      date('2026-12-01T14:03:07Z'),
      date('2026-12-01T14:03:07Z', 'time-secs'),
      link('https://example.com/a?b=1&c=2', 'the page'),
      link('http://example.com/'),
      icon('warn'),
      command('incident', 'list'),
    ];
    const html = renderMessageHtml(posted({ notification: [], blocks: [section({ type: 'line', spans })] }), O);
    expect(html).toContain('<strong>bold</strong><em>soft</em><code>x = 1</code>');
    expect(html).toContain('<span class="mention user" data-user="U0ALICE">@alice (placeholder)</span>');
    expect(html).toContain('<span class="mention user self" data-user="U0ME">@you</span>');
    expect(html).toContain('@U0NOBODY');
    expect(html).toContain('<span class="mention group">@S0DBA</span>');
    expect(html).toContain('<span class="mention channel">#ops</span><span class="mention channel">#C0ELSE</span>');
    expect(html).toContain('<span class="mention broadcast">@here</span><span class="mention broadcast">@channel</span>');
    expect(html).toContain('<time datetime="2026-12-01T14:03:07.000Z" data-format="datetime">2026-12-01 14:03 UTC</time>');
    expect(html).toContain('<time datetime="2026-12-01T14:03:07.000Z" data-format="time-secs">14:03:07 UTC</time>');
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">the page</a>');
    expect(html).toContain('<a href="http://example.com/" rel="noopener noreferrer" target="_blank">http://example.com/</a>');
    expect(html).toContain('<span class="icon status-warn" role="img" aria-label="warning">●</span>');
    expect(html).toContain('<code class="command">/incident list</code>');
  });

  it('shows a date it cannot read as its text, not a time element', () => {
    const html = renderMessageHtml(posted({ notification: [], blocks: [section(line(date('<b>soon</b>')))] }), O);
    expect(html).toContain('<p>&lt;b&gt;soon&lt;/b&gt;</p>');
  });

  it("keeps a finding's <script> as text, in the report's every place", () => {
    const evil = '<script>alert(1)</script>';
    const report: Report = {
      target: `db-${evil}`,
      kind: 'postgres',
      status: 'crit',
      startedAt: '2025-03-14T09:26:53.000Z',
      durationMs: 5,
      findings: [{ check: 'postgres.connections', status: 'crit', title: `Connections ${evil}`, detail: `line ${evil}`, fix: `Fix ${evil}` }],
    };
    const html = renderMessageHtml(posted(reportMessage(report, { budget: UNLIMITED_BUDGET, runbookUrl: () => undefined, declareIncident: true })), O);
    expect(html).not.toContain('<script');
    expect(html).toContain('Connections &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('line &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(shown(html)).toContain(`Connections ${evil}`);
  });

  it('escapes button labels, confirm texts and link texts, and links only http(s) addresses', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const message: Message = {
      notification: [],
      blocks: [
        section(line(link('javascript:alert(1)', `click ${evil}`), ' ', link('data:text/html,<b>x</b>'), ' ', link('https://ok.example/', `t ${evil}`))),
        {
          type: 'actions',
          buttons: [
            { label: `Kill ${evil}`, style: 'danger', intent: { intent: 'incident.resolve', incident: 1 }, confirm: { title: `"T" ${evil}`, text: "it's <b>bad</b>", ok: 'Run it', deny: 'Cancel' } },
            { label: 'Open', url: 'javascript:alert(1)' },
            { label: 'Runbook', url: 'https://runbooks.example.com/x.md', intent: { intent: 'runbook.open', runbook: 'x' } },
            { label: 'Page', url: 'https://example.com/"onmouseover="x' },
          ],
        },
      ],
    };
    const html = renderMessageHtml(posted(message), O);
    expect(html).not.toMatch(/<img|<b>|href="javascript|href="data|onerror=alert\(1\)>|" onmouseover/);
    expect(html).toContain('click &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('data:text/html,&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('<a href="https://ok.example/" rel="noopener noreferrer" target="_blank">t &lt;img src=x onerror=alert(1)&gt;</a>');
    expect(html).toContain(
      '<button type="button" class="btn danger" data-ts="1764670000.000123" data-button="0" data-confirm-title="&quot;T&quot; &lt;img src=x onerror=alert(1)&gt;" data-confirm-text="it&#39;s &lt;b&gt;bad&lt;/b&gt;" data-confirm-ok="Run it" data-confirm-deny="Cancel">Kill &lt;img src=x onerror=alert(1)&gt;</button>',
    );
    expect(html).toContain('<span class="btn disabled" title="javascript:alert(1)">Open</span>');
    expect(html).toContain('<a class="btn" href="https://runbooks.example.com/x.md" rel="noopener noreferrer" target="_blank" data-ts="1764670000.000123" data-button="2">Runbook</a>');
    expect(html).toContain('href="https://example.com/&quot;onmouseover=&quot;x"');
  });

  it('never writes an inline style, script or event handler', () => {
    for (const [name, report] of Object.entries(FIXTURES)) {
      const html = renderMessageHtml(posted(reportMessage(report, { budget: UNLIMITED_BUDGET, runbookUrl: (id) => `https://runbooks.example.com/${id}.md`, declareIncident: true })), O);
      expect(html, name).not.toMatch(/ style=|<script|\son[a-z]+=/i);
    }
  });

  it('numbers the buttons in the order buttonsInOrder counts them, across blocks', () => {
    const message = reportMessage(FIXTURES.mixed, { budget: UNLIMITED_BUDGET, runbookUrl: (id) => `https://runbooks.example.com/${id}.md`, declareIncident: true });
    const order = buttonsInOrder(message);
    expect(order.length).toBeGreaterThan(3);
    const html = renderMessageHtml(posted(message), O);
    const pressable = [...html.matchAll(/<(?:button|a) [^>]*data-button="(\d+)"[^>]*>(.*?)<\/(?:button|a)>/g)].map((m) => ({ index: Number(m[1]), label: shown(m[2]!).trim() }));
    expect(pressable.map((p) => p.index)).toEqual(order.map((_, i) => i));
    // A button's icon comes before its label.
    expect(pressable.map((p, i) => p.label.endsWith(order[i]!.label))).toEqual(order.map(() => true));
  });

  it('marks ephemeral and edited messages, and says to whom a direct message would go', () => {
    const m = { notification: [], blocks: [section(line('only you'))] };
    const html = renderMessageHtml(posted(m, { ephemeralTo: 'U0ME', editedAt: '2026-12-02T10:01:00.000Z' }), O);
    expect(html).toContain('class="msg ephemeral"');
    expect(shown(html)).toContain('Only visible to you');
    expect(html).toContain('<span class="edited">(edited)</span>');
    const plain = renderMessageHtml(posted(m), O);
    expect(plain).not.toContain('Only visible to you');
    expect(plain).not.toContain('(edited)');
    const dm = renderMessageHtml(posted(m, { channel: 'U0ALICE' }), O);
    expect(shown(dm)).toContain('would DM @alice (placeholder)');
    expect(shown(renderMessageHtml(posted(m, { channel: 'U0STRANGER' }), O))).toContain('would DM @U0STRANGER');
  });

  it('shows an uploaded chart as an image and a text file as a link', () => {
    const file = (id: string, contentType: string, title: string) => ({ id, title, filename: `${id}.bin`, contentType, bytes: Buffer.from('x') });
    const html = renderMessageHtml(
      posted({ notification: [], blocks: [] }, { files: [file('F1', 'image/png', 'Checks <b>per day</b>'), file('F2', 'text/plain', 'report.txt')] }),
      O,
    );
    expect(html).toContain('<figure class="file"><img src="/files/F1" alt="Checks &lt;b&gt;per day&lt;/b&gt;"><figcaption>Checks &lt;b&gt;per day&lt;/b&gt;</figcaption></figure>');
    expect(html).toContain('<a href="/files/F2" target="_blank" rel="noopener noreferrer">report.txt</a>');
  });
});

describe('renderPage', () => {
  const evil = '<script>alert(1)</script>';
  const page = renderPage({
    title: 'chatops playground',
    banner: { config: `demo config ${evil}`, lines: ['Point it at your own systems: CHATOPS_CONFIG=chatops.yml npm start', `line ${evil}`] },
    channels: [
      { id: 'C0OPS', name: 'ops' },
      { id: 'C0INC', name: `incidents${evil}` },
    ],
    user: { id: 'U0ME', name: `you ${evil}` },
    token: 'tok"en',
    listening: 'http://127.0.0.1:3000/',
  });

  it('is a whole document that loads only its own stylesheet and script, with the token for its requests', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<meta name="playground-token" content="tok&quot;en">');
    expect(page).toContain('<link rel="stylesheet" href="/assets/app.css">');
    expect(page).toContain('<script src="/assets/app.js" defer></script>');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/ style=|<style|\son[a-z]+=/i);
  });

  it('escapes every word it is given', () => {
    expect(page).not.toContain(evil);
    expect(page).toContain('demo config &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('#incidents&lt;script&gt;');
    expect(page).toContain('@you &lt;script&gt;');
  });

  it('shows the banner, the channels with the first selected, the composer and the side panel', () => {
    expect(page).toContain('Listening on <code>http://127.0.0.1:3000/</code>');
    expect(page).toContain('<li>Point it at your own systems: CHATOPS_CONFIG=chatops.yml npm start</li>');
    expect(page).toContain('<button type="button" class="channel selected" data-channel="C0OPS" aria-current="true">');
    expect(page).toContain('<section class="channel-view" data-channel-view="C0OPS"');
    expect(page).toMatch(/<section class="channel-view" data-channel-view="C0INC"[^>]* hidden>/);
    expect(page).toContain('<form id="composer"');
    expect(page).toMatch(/placeholder="A slash command: \/diag db, \/diag all, \/runbook, \/incident declare sev2 …, \/oncall, \/digest now, \/triage …"/);
    expect(page).toContain('<h2>Direct messages and pages</h2>');
    expect(page).toContain('<div id="dialog-layer" class="layer" hidden></div>');
    expect(page).toContain('<div id="confirm-layer" class="layer" hidden>');
  });
});
