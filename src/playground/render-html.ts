// The neutral message as HTML for the playground's page: the third renderer beside Block Kit
// (src/slack/render-message.ts) and the terminal (src/cli/render-terminal.ts). Every piece of text
// from the message is escaped; links open only http(s) addresses; nothing carries an inline style
// or script (the page's CSP refuses both). Buttons carry the message's ts and their index in
// buttonsInOrder(): the page sends those back and the playground looks up what was offered.
import type { IconName } from '../message/icon-name.ts';
import type { Block, Button, DateFormat, Line, Paragraph, Span, SpanStyle } from '../message/message.ts';
import { buttonsInOrder } from './buttons-in-order.ts';
import { escapeHtml } from './escape-html.ts';
import type { PeopleNames, PlaygroundFile, PlaygroundMessage } from './playground-types.ts';

export interface HtmlOptions {
  /** Names for user (and group) ids: `@oncall (placeholder)`. */
  people: PeopleNames;
  /** The user looking at the page: their own mentions are marked. */
  viewer: string;
  /** Names for channel ids (`#ops`); a channel not in it shows as its id. */
  channels?: PeopleNames;
}

/**
 * Every icon as a character common fonts have (no emoji font needed), coloured by its
 * `status-<name>` class; U+FE0E asks for the plain form where a system would draw a coloured emoji
 * that CSS cannot colour. The label is what a screen reader says.
 */
const ICONS: Record<IconName, { char: string; label: string }> = {
  crit: { char: '●', label: 'critical' },
  warn: { char: '●', label: 'warning' },
  unknown: { char: '○', label: 'unknown' },
  ok: { char: '●', label: 'ok' },
  progress: { char: '⟳', label: 'in progress' },
  expired: { char: '◷', label: 'expired' },
  error: { char: '✖\uFE0E', label: 'error' },
  warning: { char: '⚠\uFE0E', label: 'warning' },
  denied: { char: '⊘', label: 'denied' },
  done: { char: '✔\uFE0E', label: 'done' },
  info: { char: 'ℹ\uFE0E', label: 'information' },
  pager: { char: '☎\uFE0E', label: 'pager' },
  thread: { char: '↳', label: 'thread' },
  book: { char: '☰', label: 'runbook' },
  eyes: { char: '◉', label: 'looking' },
  bell: { char: '✉\uFE0E', label: 'notification' },
  siren: { char: '‼\uFE0E', label: 'alarm' },
  sev1: { char: '●', label: 'SEV-1' },
  sev2: { char: '●', label: 'SEV-2' },
  sev3: { char: '●', label: 'SEV-3' },
  sev4: { char: '●', label: 'SEV-4' },
  stop: { char: '■', label: 'stop' },
  escalate: { char: '⇈', label: 'escalate' },
  chart: { char: '▤', label: 'chart' },
};

/** A direct message's channel is the person's user id. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

const STYLE_TAG = { strong: 'strong', em: 'em', code: 'code' } as const;

export function renderMessageHtml(m: PlaygroundMessage, o: HtmlOptions): string {
  const attrs = [
    `class="msg${m.ephemeralTo ? ' ephemeral' : ''}"`,
    `id="m-${escapeHtml(m.ts.replace(/\./g, '-'))}"`,
    `data-ts="${escapeHtml(m.ts)}"`,
    `data-channel="${escapeHtml(m.channel)}"`,
    ...(m.threadTs ? [`data-thread="${escapeHtml(m.threadTs)}"`] : []),
  ];
  const out: string[] = [`<article ${attrs.join(' ')}>`];
  out.push(`<div class="meta"><span class="author">chatops</span> ${timeHtml(m.postedAt, 'time')}${m.editedAt ? ' <span class="edited">(edited)</span>' : ''}</div>`);
  // A direct message (a page) is addressed to a person: say to whom it would go.
  if (o.people.has(m.channel) || USER_ID.test(m.channel)) out.push(`<div class="dm-to">would DM ${mention(m.channel, o)}</div>`);
  if (m.ephemeralTo) out.push(`<div class="ephemeral-note">${iconHtml('eyes')} Only visible to you</div>`);
  const counter = { next: 0 };
  const order = buttonsInOrder(m.message);
  for (const block of m.message.blocks) out.push(blockHtml(block, m.ts, o, counter));
  if (counter.next !== order.length) throw new Error(`message ${m.ts}: rendered ${counter.next} buttons, buttonsInOrder() counts ${order.length}`);
  // A message without blocks is its notification line, as a client without blocks shows it.
  if (m.message.blocks.length === 0) out.push(`<p>${lineHtml(m.message.notification, o)}</p>`);
  for (const f of m.files ?? []) out.push(fileHtml(f));
  out.push('</article>');
  return out.join('\n');
}

function blockHtml(block: Block, ts: string, o: HtmlOptions, counter: { next: number }): string {
  switch (block.type) {
    case 'header':
      return `<h3 class="header">${block.icon ? `${iconHtml(block.icon)} ` : ''}${escapeHtml(block.text)}</h3>`;
    case 'section':
      return `<div class="section">${block.paragraphs.map((p) => paragraphHtml(p, o)).join('')}</div>`;
    case 'fields':
      return `<dl class="fields">${block.fields.map((f) => `<div class="field"><dt>${escapeHtml(f.label)}</dt><dd>${lineHtml(f.value, o)}</dd></div>`).join('')}</dl>`;
    case 'context':
      return `<div class="context">${lineHtml(block.spans, o)}</div>`;
    case 'divider':
      return '<hr>';
    case 'actions':
      return `<div class="actions">${block.buttons.map((b) => buttonHtml(b, ts, counter.next++)).join('')}</div>`;
  }
}

function paragraphHtml(p: Paragraph, o: HtmlOptions): string {
  switch (p.type) {
    case 'line':
      return `<p>${lineHtml(p.spans, o)}</p>`;
    case 'code':
      return `<pre><code>${p.lines.map(escapeHtml).join('\n')}</code></pre>`;
    case 'list':
      return `<ul>${p.items.map((item) => `<li>${lineHtml(item, o)}</li>`).join('')}</ul>`;
  }
}

/** Spans as HTML, adjacent spans of one style inside one element (`<strong>● Connections</strong>`). */
function lineHtml(spans: Line, o: HtmlOptions): string {
  let out = '';
  let run = '';
  let open: SpanStyle | undefined;
  for (const s of spans) {
    const style = s.type === 'text' || s.type === 'icon' ? s.style : undefined;
    if (style !== open) {
      out += styled(run, open);
      run = '';
      open = style;
    }
    run += spanHtml(s, o);
  }
  return out + styled(run, open);
}

function spanHtml(s: Span, o: HtmlOptions): string {
  switch (s.type) {
    case 'text':
      return escapeHtml(s.text);
    case 'icon':
      return iconHtml(s.icon);
    case 'user':
      return mention(s.id, o);
    case 'group':
      return `<span class="mention group">@${escapeHtml(o.people.get(s.id) ?? s.id)}</span>`;
    case 'channel':
      return `<span class="mention channel">#${escapeHtml(o.channels?.get(s.id) ?? s.id)}</span>`;
    case 'broadcast':
      return `<span class="mention broadcast">@${s.to === 'here' ? 'here' : 'channel'}</span>`;
    case 'date':
      return timeHtml(s.at, s.format ?? 'datetime');
    case 'link': {
      const label = escapeHtml(s.text ?? s.url);
      return webUrl(s.url) ? `<a href="${escapeHtml(s.url)}" rel="noopener noreferrer" target="_blank">${label}</a>` : label;
    }
    case 'command':
      return `<code class="command">/${escapeHtml(s.name)}${s.args ? ` ${escapeHtml(s.args)}` : ''}</code>`;
  }
}

function styled(html: string, style: SpanStyle | undefined): string {
  if (!style || html === '') return html;
  const tag = STYLE_TAG[style];
  return `<${tag}>${html}</${tag}>`;
}

function mention(id: string, o: HtmlOptions): string {
  const self = id === o.viewer ? ' self' : '';
  return `<span class="mention user${self}" data-user="${escapeHtml(id)}">@${escapeHtml(o.people.get(id) ?? id)}</span>`;
}

function iconHtml(name: IconName): string {
  const i = ICONS[name];
  return `<span class="icon status-${name}" role="img" aria-label="${escapeHtml(i.label)}">${i.char}</span>`;
}

/** A point in time: UTC words the page's script turns into the reader's own time zone. */
function timeHtml(at: string, format: DateFormat): string {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) return escapeHtml(at.slice(0, 40));
  const iso = new Date(ms).toISOString();
  const secs = format === 'datetime-secs' || format === 'time-secs';
  const clock = iso.slice(11, secs ? 19 : 16);
  const fallback = format === 'time' || format === 'time-secs' ? `${clock} UTC` : `${iso.slice(0, 10)} ${clock} UTC`;
  return `<time datetime="${iso}" data-format="${format}">${fallback}</time>`;
}

function buttonHtml(b: Button, ts: string, index: number): string {
  const classes = `btn${b.style ? ` ${b.style}` : ''}`;
  const label = `${b.icon ? `${iconHtml(b.icon)} ` : ''}${escapeHtml(b.label)}`;
  const press = b.intent ? ` data-ts="${escapeHtml(ts)}" data-button="${index}"` : '';
  const confirm = b.confirm
    ? ` data-confirm-title="${escapeHtml(b.confirm.title)}" data-confirm-text="${escapeHtml(b.confirm.text)}" data-confirm-ok="${escapeHtml(b.confirm.ok)}" data-confirm-deny="${escapeHtml(b.confirm.deny)}"`
    : '';
  if (b.url && webUrl(b.url)) return `<a class="${classes}" href="${escapeHtml(b.url)}" rel="noopener noreferrer" target="_blank"${press}${confirm}>${label}</a>`;
  // A link the page will not open (not http or https) and nothing to send: shown, not pressable.
  if (!b.intent) return `<span class="${classes} disabled" title="${escapeHtml(b.url ?? '')}">${label}</span>`;
  return `<button type="button" class="${classes}"${press}${confirm}>${label}</button>`;
}

function fileHtml(f: PlaygroundFile): string {
  const href = `/files/${encodeURIComponent(f.id)}`;
  const comment = f.comment ? `<p class="file-comment">${escapeHtml(f.comment)}</p>` : '';
  if (f.contentType === 'image/png') {
    return `<figure class="file">${comment}<img src="${href}" alt="${escapeHtml(f.title)}"><figcaption>${escapeHtml(f.title)}</figcaption></figure>`;
  }
  return `<div class="file">${comment}<a href="${href}" target="_blank" rel="noopener noreferrer">${escapeHtml(f.title)}</a> <span class="filename">${escapeHtml(f.filename)}</span></div>`;
}

/** Only http and https addresses become links: `javascript:` and `data:` stay text. */
function webUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
