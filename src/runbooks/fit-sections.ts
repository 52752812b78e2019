// A runbook's body, as paragraphs, packed into sections that each fit the transport's section
// size: blocks whole where they fit, a blank line between them, a heading kept with what follows
// it, and a block too long for one section cut between its lines, list items or sentences (a
// code block cut this way is two code blocks, each closed).
import type { MarkdownPart } from '../message/markdown-paragraphs.ts';
import { text as plain, type Line, type Paragraph, type Span } from '../message/message.ts';
import { cutText } from '../render/cut-text.ts';

export interface FittedSection {
  paragraphs: Paragraph[];
  /** Characters the section takes as the transport measures them, markup included (an upper bound). */
  size: number;
}

type Measure = (text: string) => number;

const BLANK: Paragraph = { type: 'line', spans: [] };

export function fitSections(parts: readonly MarkdownPart[], maxChars: number, measure: Measure): FittedSection[] {
  const sizeOf = (p: Paragraph) => paragraphSize(p, measure);
  const sizeOfAll = (ps: readonly Paragraph[]) => ps.reduce((sum, p, i) => sum + sizeOf(p) + (i > 0 ? 1 : 0), 0);
  const sections: FittedSection[] = [];
  let current: Paragraph[] = [];
  let size = 0;
  /** Where the heading that ends `current` starts, if it ends with one. */
  let headingAt: number | undefined;
  const push = (p: Paragraph) => {
    size += sizeOf(p) + (current.length > 0 ? 1 : 0);
    current.push(p);
  };
  const flush = () => {
    if (current.length > 0) sections.push({ paragraphs: current, size });
    current = [];
    size = 0;
    headingAt = undefined;
  };
  /** A new section; the heading that would end this one goes with its text to the next. */
  const breakSection = (carryHeading: boolean) => {
    const carried = carryHeading && headingAt !== undefined && headingAt > 0 ? current.slice(headingAt) : [];
    if (carried.length > 0) {
      current = current.slice(0, headingAt! - 1);
      size = sizeOfAll(current);
    }
    flush();
    carried.forEach(push);
  };
  for (const part of parts) {
    const pieces = part.paragraphs.flatMap((p) => fitParagraph(p, maxChars, measure));
    const whole = sizeOfAll(pieces);
    const before = sections.length;
    let start = 0;
    pieces.forEach((piece, i) => {
      // A block that fits a section starts a new one rather than being cut.
      const adding = i === 0 && current.length > 0 ? 2 + (whole <= maxChars ? whole : sizeOf(piece)) : 1 + sizeOf(piece);
      if (current.length > 0 && size + adding > maxChars) breakSection(i === 0);
      // A carried heading and a piece that fills a section alone do not fit together.
      if (i === 0 && current.length > 0 && size + 2 + sizeOf(piece) > maxChars) flush();
      if (i === 0) {
        if (current.length > 0) push(BLANK);
        start = current.length;
      }
      push(piece);
    });
    headingAt = part.heading && sections.length === before ? start : undefined;
  }
  flush();
  return sections;
}

/**
 * A paragraph's characters as Slack's renderer writes it, counted with `measure`: style markers,
 * link brackets, bullets and code fences included. Never less than the rendered length.
 */
function paragraphSize(p: Paragraph, measure: Measure): number {
  switch (p.type) {
    case 'line':
      return lineSize(p.spans, measure);
    case 'code':
      return measure(p.lines.join('\n')) + 8;
    case 'list':
      return p.items.reduce((sum, item, i) => sum + lineSize(item, measure) + 2 + (i > 0 ? 1 : 0), 0);
  }
}

function lineSize(spans: Line, measure: Measure): number {
  return spans.reduce((sum, s) => sum + spanSize(s, measure), 0);
}

function spanSize(s: Span, measure: Measure): number {
  switch (s.type) {
    case 'text':
      return measure(s.text) + (s.style ? 2 : 0);
    case 'link':
      return measure(s.url) + (s.text === undefined ? 0 : measure(s.text) + 1) + 2;
    default:
      // Not produced from markdown; a generous bound for a mention or a date.
      return 80;
  }
}

/** A paragraph as pieces that each fit `max`: a code block by lines, a list by items, a line by sentences or words. */
function fitParagraph(p: Paragraph, max: number, measure: Measure): Paragraph[] {
  if (paragraphSize(p, measure) <= max) return [p];
  switch (p.type) {
    case 'code': {
      const out: Paragraph[] = [];
      let lines: string[] = [];
      for (const raw of p.lines) {
        const l = measure(raw) > max - 9 ? cutText(raw, max - 9, measure) : raw;
        if (lines.length > 0 && paragraphSize({ type: 'code', lines: [...lines, l] }, measure) > max) {
          out.push({ type: 'code', lines });
          lines = [];
        }
        lines.push(l);
      }
      if (lines.length > 0) out.push({ type: 'code', lines });
      return out;
    }
    case 'list': {
      const out: Paragraph[] = [];
      let items: Line[] = [];
      for (const item of p.items) {
        if (lineSize(item, measure) + 2 > max) {
          if (items.length > 0) out.push({ type: 'list', items });
          items = [];
          out.push(...fitLine([plain('• '), ...item], max, measure));
          continue;
        }
        if (items.length > 0 && paragraphSize({ type: 'list', items: [...items, item] }, measure) > max) {
          out.push({ type: 'list', items });
          items = [];
        }
        items.push(item);
      }
      if (items.length > 0) out.push({ type: 'list', items });
      return out;
    }
    case 'line':
      return fitLine(p.spans, max, measure);
  }
}

/** A long line as lines that fit, cut after a sentence where one ends in the second half, else between words. */
function fitLine(spans: Line, max: number, measure: Measure): Paragraph[] {
  const words = spans.flatMap((s): Span[] => {
    if (s.type === 'text') return (s.text.match(/\S+\s*|\s+/g) ?? []).map((w) => ({ ...s, text: fitWord(w, max, measure) }));
    if (spanSize(s, measure) > max - 4) return [plain(fitWord(s.type === 'link' ? s.url : '', max, measure))];
    return [s];
  });
  const out: Paragraph[] = [];
  let current: Span[] = [];
  let size = 0;
  for (const word of words) {
    const wordSize = spanSize(word, measure);
    while (current.length > 0 && size + wordSize > max) {
      let cut = current.length;
      let upTo = 0;
      current.forEach((w, i) => {
        upTo += spanSize(w, measure);
        if (w.type === 'text' && /[.!?;:]\s+$/.test(w.text) && upTo >= max / 2) cut = i + 1;
      });
      out.push({ type: 'line', spans: trimEnd(current.slice(0, cut)) });
      current = current.slice(cut);
      size = lineSize(current, measure);
    }
    current.push(word);
    size += wordSize;
  }
  if (current.length > 0) out.push({ type: 'line', spans: trimEnd(current) });
  return out;
}

/** A single word longer than a section, cut to fit one. */
function fitWord(word: string, max: number, measure: Measure): string {
  return measure(word) > max - 4 ? cutText(word, max - 4, measure) : word;
}

/** The spaces at the end of a line that was cut there are dropped. */
function trimEnd(spans: Span[]): Span[] {
  const last = spans.at(-1);
  if (last?.type !== 'text') return spans;
  return [...spans.slice(0, -1), { ...last, text: last.text.trimEnd() }];
}
