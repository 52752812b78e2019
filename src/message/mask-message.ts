// Every word of a neutral message masked (the generic secret patterns and every configured
// secret), before any renderer escapes or cuts it: a secret is recognised as it was written
// (`&` is not yet `&amp;`), and a cut can never leave part of one.
import { maskSecrets } from '../security/mask-secrets.ts';
import type { Block, Button, Line, Message, Paragraph, Span } from './message.ts';

export function maskMessage(message: Message, secrets: readonly string[]): Message {
  const mask = (text: string) => maskSecrets(text, secrets, Infinity);
  const span = (s: Span): Span => {
    if (s.type === 'text') return { ...s, text: mask(s.text) };
    if (s.type === 'link') return { ...s, url: mask(s.url), ...(s.text !== undefined && { text: mask(s.text) }) };
    // Mentions, dates, icons and command references (a command's name and words) are the bot's own.
    return s;
  };
  const line = (l: Line): Line => l.map(span);
  const paragraph = (p: Paragraph): Paragraph => {
    if (p.type === 'line') return { type: 'line', spans: line(p.spans) };
    if (p.type === 'code') return { type: 'code', lines: p.lines.map(mask) };
    return { type: 'list', items: p.items.map(line) };
  };
  const button = (b: Button): Button => ({
    ...b,
    label: mask(b.label),
    ...(b.url !== undefined && { url: mask(b.url) }),
    ...(b.confirm && { confirm: { title: mask(b.confirm.title), text: mask(b.confirm.text), ok: mask(b.confirm.ok), deny: mask(b.confirm.deny) } }),
  });
  const block = (b: Block): Block => {
    switch (b.type) {
      case 'header':
        return { ...b, text: mask(b.text) };
      case 'section':
        return { type: 'section', paragraphs: b.paragraphs.map(paragraph) };
      case 'fields':
        return { type: 'fields', fields: b.fields.map((f) => ({ label: mask(f.label), value: line(f.value) })) };
      case 'context':
        return { type: 'context', spans: line(b.spans) };
      case 'actions':
        return { type: 'actions', buttons: b.buttons.map(button) };
      case 'divider':
        return b;
    }
  };
  return { notification: line(message.notification), blocks: message.blocks.map(block) };
}
