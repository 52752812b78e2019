// A timeline entry as the store gives it back: a line of spans (people, channels and user groups
// by id). Rows written before the line was stored hold Slack's mention syntax in their text
// (<@U1>, <#C1>, <!subteam^S1|sre>); those mentions are read back as ids, the rest as text.
import { channel, group, text, user, type Line } from '../message/message.ts';

const STORED_MENTION = /<(@|#|!subteam\^)([A-Z0-9]{2,})(?:\|[^>]*)?>/g;

export function storedTimelineLine(row: { text: string; line: Line | null }): Line {
  if (row.line) return row.line;
  const out: Line = [];
  let at = 0;
  for (const m of row.text.matchAll(STORED_MENTION)) {
    if (m.index > at) out.push(text(row.text.slice(at, m.index)));
    const id = m[2]!;
    out.push(m[1] === '@' ? user(id) : m[1] === '#' ? channel(id) : group(id));
    at = m.index + m[0].length;
  }
  if (at < row.text.length) out.push(text(row.text.slice(at)));
  return out;
}
