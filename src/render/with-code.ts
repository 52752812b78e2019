// Words that may hold `backquoted` commands or values, as spans: each quoted part a code span.
import { code, text, type Span } from '../message/message.ts';

/** Text with `backquoted` commands as code spans (an unmatched backquote stays text). */
export function withCode(words: string): Span[] {
  const parts = words.split('`');
  if (parts.length % 2 === 0) return [text(words)];
  return parts.filter((p) => p !== '').length === 0 ? [] : parts.flatMap((p, i) => (p === '' ? [] : [i % 2 === 1 ? code(p) : text(p)]));
}
