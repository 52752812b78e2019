// The neutral message as Block Kit: the one place that writes mrkdwn, mentions, <!date> and
// action ids. Producers fit their content to SLACK_BUDGET; this renderer still cuts every text to
// Slack's hard limits, so no message can be refused for its size.
import type { types } from '@slack/bolt';
import type { Block, Button, Line, Message, Paragraph, Span, SpanStyle } from '../message/message.ts';
import type { Intent } from '../message/intent.ts';
import { cutText } from '../render/cut-text.ts';
import { SIGNED_OVERHEAD } from '../security/value-signer.ts';
import type { EncodedIntent } from './encode-intent.ts';
import { escapeMrkdwn } from './escape-mrkdwn.ts';
import { ICON_EMOJI } from './icon-emoji.ts';
import {
  MAX_ACTION_ID,
  MAX_ACTIONS_ELEMENTS,
  MAX_BLOCKS,
  MAX_BUTTON_TEXT,
  MAX_BUTTON_URL,
  MAX_BUTTON_VALUE,
  MAX_CONTEXT_TEXT,
  MAX_FIELD_TEXT,
  MAX_FIELDS,
  MAX_HEADER_TEXT,
  MAX_SECTION_TEXT,
} from './slack-budget.ts';

/** A message as chat.postMessage, chat.update and respond() take it. */
export interface BlockKitMessage {
  text: string;
  blocks: types.KnownBlock[];
}

const MARK: Record<SpanStyle, string> = { strong: '*', em: '_', code: '`' };
const DATE_FORMAT = { datetime: '{date_short_pretty} {time}', 'datetime-secs': '{date_short_pretty} {time_secs}', time: '{time}', 'time-secs': '{time_secs}' } as const;
const SLACK_ID = /^[A-Z0-9]{2,}$/;

export function renderMessage(message: Message, encode: (intent: Intent) => EncodedIntent): BlockKitMessage {
  const blocks = message.blocks.flatMap((b) => renderBlock(b, encode));
  return { text: cutMrkdwn(mrkdwn(message.notification), MAX_CONTEXT_TEXT), blocks: blocks.slice(0, MAX_BLOCKS) };
}

/** Spans as mrkdwn: text escaped, adjacent spans of one style inside one pair of markers. */
export function mrkdwn(spans: Line): string {
  let out = '';
  let open: SpanStyle | undefined;
  for (const span of spans) {
    const style = span.type === 'text' || span.type === 'icon' ? span.style : span.type === 'command' ? 'code' : undefined;
    if (style !== open) {
      if (open) out += MARK[open];
      if (style) out += MARK[style];
      open = style;
    }
    out += spanText(span);
  }
  if (open) out += MARK[open];
  return out;
}

function spanText(span: Span): string {
  switch (span.type) {
    case 'text':
      return escapeMrkdwn(span.style === 'code' ? span.text.replace(/`/g, "'") : span.text);
    case 'icon':
      return ICON_EMOJI[span.icon];
    case 'command':
      return escapeMrkdwn(`/${span.name}${span.args ? ` ${span.args}` : ''}`.replace(/`/g, "'"));
    case 'user':
      return SLACK_ID.test(span.id) ? `<@${span.id}>` : escapeMrkdwn(`@${span.id}`);
    case 'group':
      return SLACK_ID.test(span.id) ? `<!subteam^${span.id}>` : escapeMrkdwn(`@${span.id}`);
    case 'channel':
      return SLACK_ID.test(span.id) ? `<#${span.id}>` : escapeMrkdwn(`#${span.id}`);
    case 'broadcast':
      return `<!${span.to}>`;
    case 'date': {
      const at = Date.parse(span.at);
      if (!Number.isFinite(at)) return escapeMrkdwn(span.at.slice(0, 40));
      const iso = new Date(at).toISOString();
      return `<!date^${Math.floor(at / 1000)}^${DATE_FORMAT[span.format ?? 'datetime']}|${iso}>`;
    }
    case 'link': {
      const label = span.text === undefined ? undefined : escapeMrkdwn(span.text).replace(/\|/g, '¦');
      if (!isWebUrl(span.url)) return label ?? escapeMrkdwn(span.url);
      const url = span.url.replace(/[<>|]/g, encodeURIComponent);
      return label === undefined ? `<${url}>` : `<${url}|${label}>`;
    }
  }
}

/**
 * Rendered mrkdwn cut to `max` characters without leaving half an escape (`&am…`), half a mention
 * or date (`<@U12…`), or a code block left open.
 */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = cutText(text, max - 4)
    .replace(/&[a-z]{0,4}…$/, '…')
    .replace(/<[^<>\n]*…$/, '…');
  if ((cut.match(/```/g)?.length ?? 0) % 2 === 1) cut += '\n```';
  return cut;
}

function paragraphText(p: Paragraph): string {
  switch (p.type) {
    case 'line':
      return mrkdwn(p.spans);
    case 'code':
      return `\`\`\`\n${p.lines.map(escapeMrkdwn).join('\n')}\n\`\`\``;
    case 'list':
      return p.items.map((item) => `• ${mrkdwn(item)}`).join('\n');
  }
}

function renderBlock(block: Block, encode: (intent: Intent) => EncodedIntent): types.KnownBlock[] {
  switch (block.type) {
    case 'header': {
      const text = block.icon ? `${ICON_EMOJI[block.icon]} ${block.text}` : block.text;
      return [{ type: 'header', text: { type: 'plain_text', text: cutText(text, MAX_HEADER_TEXT), emoji: true } }];
    }
    case 'section':
      return [{ type: 'section', text: { type: 'mrkdwn', text: cutMrkdwn(block.paragraphs.map(paragraphText).join('\n'), MAX_SECTION_TEXT) } }];
    case 'fields':
      return [
        {
          type: 'section',
          fields: block.fields.slice(0, MAX_FIELDS).map((f) => ({ type: 'mrkdwn', text: cutMrkdwn(`*${escapeMrkdwn(f.label)}*\n${mrkdwn(f.value)}`, MAX_FIELD_TEXT) })),
        },
      ];
    case 'context':
      return [{ type: 'context', elements: [{ type: 'mrkdwn', text: cutMrkdwn(mrkdwn(block.spans), MAX_CONTEXT_TEXT) }] }];
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions': {
      const elements = renderButtons(block.buttons, encode);
      const out: types.ActionsBlock[] = [];
      for (let i = 0; i < elements.length; i += MAX_ACTIONS_ELEMENTS) out.push({ type: 'actions', elements: elements.slice(i, i + MAX_ACTIONS_ELEMENTS) });
      return out;
    }
  }
}

/** Buttons in Block Kit; a button whose value or action id cannot fit Slack's limits is left out. */
function renderButtons(buttons: readonly Button[], encode: (intent: Intent) => EncodedIntent): types.Button[] {
  const seen = new Map<string, number>();
  const out: types.Button[] = [];
  for (const b of buttons) {
    const label = cutText(b.icon ? `${ICON_EMOJI[b.icon]} ${b.label}` : b.label, MAX_BUTTON_TEXT);
    const element: types.Button = { type: 'button', text: { type: 'plain_text', text: label, emoji: true } };
    if (b.intent) {
      const { actionId, value } = encode(b.intent);
      // The edge signs the value (SIGNED_OVERHEAD more characters) before sending it.
      if (value.length > MAX_BUTTON_VALUE - SIGNED_OVERHEAD) continue;
      const n = (seen.get(actionId) ?? 0) + 1;
      seen.set(actionId, n);
      const id = n === 1 ? actionId : `${actionId}:${n}`;
      if (id.length > MAX_ACTION_ID) continue;
      element.action_id = id;
      // A link button with an intent opens the url; its press carries no value.
      if (b.url === undefined || !isWebUrl(b.url) || b.url.length > MAX_BUTTON_URL) element.value = value;
    }
    if (b.url !== undefined && isWebUrl(b.url) && b.url.length <= MAX_BUTTON_URL) element.url = b.url;
    if (element.action_id === undefined && element.url === undefined) continue;
    if (b.style) element.style = b.style;
    if (b.confirm) {
      element.confirm = {
        title: { type: 'plain_text', text: cutText(b.confirm.title, 100) },
        text: { type: 'plain_text', text: cutText(b.confirm.text, 300) },
        confirm: { type: 'plain_text', text: cutText(b.confirm.ok, 30) },
        deny: { type: 'plain_text', text: cutText(b.confirm.deny, 30) },
        ...(b.style === 'danger' && { style: 'danger' }),
      };
    }
    out.push(element);
  }
  return out;
}

function isWebUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'https:' || protocol === 'http:';
}
