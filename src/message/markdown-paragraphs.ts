// Markdown (a runbook's body) as the neutral message's paragraphs, parsed by marked's lexer:
// soft line breaks are spaces (a hard-wrapped sentence is one line again), headings are strong
// lines, bullet lists are lists, numbered and nested lists are lines that carry their own
// numbers, bullets and indentation, fenced code is kept line for line, and a table is a code
// block of aligned columns (the neutral model has no table). Every renderer then shows the same
// structure in its own syntax, escaping the text as it does for any other message.
import { createRequire } from 'node:module';
import type { MarkedToken, Token, Tokens } from 'marked';
import { text as plain, type Line, type Paragraph, type Span, type SpanStyle } from './message.ts';

/** One block of the markdown (a heading, a paragraph, a list, a code block, a table) as paragraphs. */
export interface MarkdownPart {
  /** A heading: it belongs with what follows it. */
  heading: boolean;
  paragraphs: Paragraph[];
}

/** Bullets of nested unordered lists, by depth below the top level. */
const NESTED_BULLETS = ['◦', '▪'];
/** A table wider than this many characters is written one row at a time, "header: value" per cell. */
const TABLE_MAX_WIDTH = 100;
/** Emphasis that wins when two are nested (`**bold `code`**` is code). */
const STYLE_RANK: Record<SpanStyle, number> = { em: 1, strong: 2, code: 3 };

type Marked = typeof import('marked');
let marked: Marked | undefined;
/** marked is loaded when a runbook is first shown, not by every command that could show one. */
const loadMarked = (): Marked => (marked ??= createRequire(import.meta.url)('marked') as Marked);

/** The markdown's top-level blocks in order, each as the paragraphs it becomes. */
export function markdownParagraphs(markdown: string): MarkdownPart[] {
  const tokens = new (loadMarked().Lexer)({ gfm: true, breaks: false }).lex(markdown);
  const parts: MarkdownPart[] = [];
  for (const token of tokens) {
    const paragraphs = blockParagraphs(token, '', 0);
    if (paragraphs.length > 0) parts.push({ heading: token.type === 'heading', paragraphs: mergeLists(paragraphs) });
  }
  return parts;
}

/** One block token as paragraphs; `indent` leads each line (inside a list item), `depth` is the list depth. */
function blockParagraphs(token: Token, indent: string, depth: number): Paragraph[] {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'heading':
      return [lineOf(indent, inline(t.tokens, 'strong'))];
    case 'paragraph':
      return linesOf(indent, inline(t.tokens));
    case 'text':
      return linesOf(indent, t.tokens ? inline(t.tokens) : [plain(decodeEntities(softBreaks(t.text)))]);
    case 'code':
      return [{ type: 'code', lines: t.text.split('\n') }];
    case 'list':
      return listParagraphs(t, indent, depth);
    case 'table':
      return [{ type: 'code', lines: tableLines(t) }];
    case 'blockquote':
      return t.tokens.flatMap((c) => blockParagraphs(c, `${indent}> `, depth));
    case 'hr':
      return [lineOf(indent, [plain('─'.repeat(20))])];
    case 'html': {
      // An HTML comment is a note to whoever edits the file, not to the reader.
      const shown = withoutComments(t.text).trim();
      return shown ? [lineOf(indent, [plain(softBreaks(shown))])] : [];
    }
    default:
      // space, def (a link reference, already applied to its links), and anything unknown.
      return [];
  }
}

/**
 * A list: unordered items at the top level are a list paragraph; numbered items and those of a
 * nested list are lines with their number or bullet written out, and what an item holds beyond
 * its first line (more paragraphs, a nested list) is indented under its text.
 */
function listParagraphs(list: Tokens.List, indent: string, depth: number): Paragraph[] {
  const out: Paragraph[] = [];
  const start = typeof list.start === 'number' ? list.start : 1;
  list.items.forEach((item, i) => {
    const bullet = list.ordered ? `${start + i}.` : depth === 0 ? '•' : NESTED_BULLETS[Math.min(depth, NESTED_BULLETS.length) - 1]!;
    const box = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
    const inner = `${indent}${' '.repeat(bullet.length + 1)}`;
    const content = item.tokens.filter((c) => c.type !== 'checkbox' && c.type !== 'space');
    const first = content[0];
    let rest = content;
    let lead: Line = [];
    if (first && (first.type === 'text' || first.type === 'paragraph')) {
      const { tokens, text } = first as Tokens.Text | Tokens.Paragraph;
      lead = tokens ? inline(tokens) : [plain(decodeEntities(softBreaks(text)))];
      rest = content.slice(1);
    }
    const [head, ...more] = splitLines(box ? mergeText([plain(box), ...lead]) : lead);
    if (!list.ordered && depth === 0 && indent === '') out.push({ type: 'list', items: [head!] });
    else out.push(lineOf(`${indent}${bullet} `, head!));
    for (const l of more) out.push(lineOf(inner, l));
    for (const c of rest) out.push(...blockParagraphs(c, inner, depth + 1));
  });
  return out;
}

/** Inline tokens as spans: soft breaks become spaces, a hard break stays a line break. */
function inline(tokens: readonly Token[], style?: SpanStyle): Line {
  const out: Span[] = [];
  for (const token of tokens) {
    const t = token as MarkedToken;
    switch (t.type) {
      case 'text':
        if (t.tokens) out.push(...inline(t.tokens, style));
        else out.push(styled(decodeEntities(softBreaks(t.text)), style));
        break;
      case 'escape':
        out.push(styled(t.text, style));
        break;
      case 'codespan':
        out.push(styled(softBreaks(t.text), 'code'));
        break;
      case 'strong':
        out.push(...inline(t.tokens, stronger(style, 'strong')));
        break;
      case 'em':
        out.push(...inline(t.tokens, stronger(style, 'em')));
        break;
      case 'del':
        out.push(...inline(t.tokens, style));
        break;
      case 'br':
        out.push(plain('\n'));
        break;
      case 'link':
      case 'image': {
        const label = inline(t.tokens, undefined)
          .map((s) => (s.type === 'text' ? s.text : ''))
          .join('');
        const url = decodeEntities(t.href);
        out.push(label === '' || label === url ? { type: 'link', url } : { type: 'link', url, text: label });
        break;
      }
      case 'html':
        if (withoutComments(t.text)) out.push(styled(softBreaks(withoutComments(t.text)), style));
        break;
      default:
        if (typeof t.raw === 'string' && t.raw) out.push(styled(softBreaks(t.raw), style));
    }
  }
  return mergeText(out);
}

function styled(value: string, style: SpanStyle | undefined): Span {
  return style ? { type: 'text', text: value, style } : plain(value);
}

function stronger(a: SpanStyle | undefined, b: SpanStyle): SpanStyle {
  return a && STYLE_RANK[a] > STYLE_RANK[b] ? a : b;
}

function withoutComments(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, '');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The named character references marked leaves in text (it decodes numeric ones): `&amp;` is `&`. Code keeps them. */
function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|nbsp);/g, (_, name: string) => ENTITIES[name]!);
}

/** A line break inside a paragraph written only to wrap the source is a space. */
function softBreaks(value: string): string {
  return value.replace(/[ \t]*\r?\n[ \t]*/g, ' ');
}

/** Adjacent text spans of one style as one span. */
function mergeText(spans: readonly Span[]): Line {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (s.type === 'text' && last?.type === 'text' && last.style === s.style) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

/** A line's spans cut at its hard breaks (the only line breaks left in them). */
function splitLines(spans: Line): Line[] {
  const lines: Line[] = [[]];
  for (const s of spans) {
    if (s.type !== 'text' || !s.text.includes('\n')) {
      lines.at(-1)!.push(s);
      continue;
    }
    s.text.split('\n').forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (piece) lines.at(-1)!.push({ ...s, text: i > 0 ? piece.trimStart() : piece.trimEnd() });
    });
  }
  return lines;
}

function lineOf(indent: string, spans: Line): Paragraph {
  return { type: 'line', spans: indent ? mergeText([plain(indent), ...spans]) : spans };
}

function linesOf(indent: string, spans: Line): Paragraph[] {
  return splitLines(spans).map((l) => lineOf(indent, l));
}

/** Consecutive list paragraphs as one list. */
function mergeLists(paragraphs: readonly Paragraph[]): Paragraph[] {
  const out: Paragraph[] = [];
  for (const p of paragraphs) {
    const last = out.at(-1);
    if (p.type === 'list' && last?.type === 'list') out[out.length - 1] = { type: 'list', items: [...last.items, ...p.items] };
    else out.push(p);
  }
  return out;
}

/**
 * A table as the lines of a code block: aligned columns under a rule, or, when that would be
 * wider than TABLE_MAX_WIDTH, one row at a time with each cell after its column's header.
 */
function tableLines(table: Tokens.Table): string[] {
  const cell = (c: Tokens.TableCell) => cellText(inline(c.tokens));
  const header = table.header.map(cell);
  const rows = table.rows.map((r) => header.map((_, i) => (r[i] ? cell(r[i]) : '')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const width = widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1);
  if (width > TABLE_MAX_WIDTH) {
    const labelWidth = Math.max(...header.map((h) => h.length)) + 2;
    return rows.flatMap((r, i) => [...(i > 0 ? [''] : []), ...r.map((v, j) => `${`${header[j]}:`.padEnd(labelWidth)}${v}`.trimEnd())]);
  }
  const pad = (value: string, i: number) => {
    const room = widths[i]! - value.length;
    const align = table.align[i];
    if (align === 'right') return `${' '.repeat(room)}${value}`;
    if (align === 'center') return `${' '.repeat(Math.floor(room / 2))}${value}${' '.repeat(Math.ceil(room / 2))}`;
    return value.padEnd(widths[i]!);
  };
  const row = (cells: string[]) => cells.map(pad).join(' | ').trimEnd();
  return [row(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(row)];
}

/** A table cell's words, without emphasis (a code block shows none). */
function cellText(spans: Line): string {
  return spans
    .map((s) => (s.type === 'text' ? s.text : s.type === 'link' ? (s.text === undefined ? s.url : `${s.text} (${s.url})`) : ''))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}
