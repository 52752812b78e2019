// The neutral message for a terminal: status tags, indentation, ANSI colour when asked, no
// budget (nothing is cut for lack of room), and every button written as what it would do.
import type { Block, Button, Line, Message, Paragraph, Span } from '../message/message.ts';
import type { IconName } from '../message/icon-name.ts';
import type { Intent } from '../message/intent.ts';
import type { Status } from '../report.ts';
import { TAG_WIDTH, terminalStyle, type TerminalStyle } from '../render/terminal-style.ts';

export interface TerminalOptions {
  /** ANSI colours and bold (red crit, yellow warn, grey unknown, green ok). */
  color: boolean;
}

const INDENT = ' '.repeat(TAG_WIDTH);
const STATUSES: ReadonlySet<string> = new Set(['crit', 'warn', 'unknown', 'ok']);

/** Icons other than statuses, as plain characters every terminal shows. */
const ICON_TEXT: Record<Exclude<IconName, Status>, string> = {
  progress: '…',
  expired: 'expired:',
  error: 'error:',
  warning: '!',
  denied: 'denied:',
  done: '✓',
  info: 'i',
  pager: '»',
  thread: '↳',
  book: '',
  eyes: '',
  bell: '',
  siren: '!!',
  sev1: '',
  sev2: '',
  sev3: '',
  sev4: '',
  stop: '',
  escalate: '⇈',
  chart: '',
};

export function renderTerminal(message: Message, options: TerminalOptions): string {
  const style = terminalStyle(options.color);
  const out: string[] = [];
  let previous: Block['type'] | undefined;
  // Lines that follow a status-tagged line are indented under its text.
  let indent = '';
  for (const block of message.blocks) {
    // Remedies and runbooks belong to the finding above them; other buttons (declare an incident,
    // details) are about the whole message and stand on their own.
    const attached = block.type === 'actions' && block.buttons.every(isFindingButton);
    const separate = !attached && !(block.type === 'context' && (previous === 'header' || previous === 'context'));
    if (separate && out.length > 0) out.push('');
    // A line that starts a new group is not indented under the status line of the group before.
    if (separate && block.type !== 'header') indent = '';
    switch (block.type) {
      case 'header': {
        const tag = block.icon ? iconText(block.icon, style, true) : '';
        out.push(`${tag}${tag ? ' ' : ''}${style.paint('1', clean(block.text))}`);
        indent = block.icon && STATUSES.has(block.icon) ? INDENT : '';
        break;
      }
      case 'context':
        out.push(`${previous === 'header' || previous === 'context' ? indent : ''}${spansText(block.spans, style, false, true)}`);
        break;
      case 'section': {
        indent = '';
        block.paragraphs.forEach((p, i) => {
          const lines = paragraphLines(p, style);
          // A line led by a status has its own tag (one target of /diag all per line).
          const tagged = p.type === 'line' && startsWithStatus(p.spans);
          if (i === 0 && tagged) indent = INDENT;
          out.push(...lines.map((l, j) => (i === 0 || (j === 0 && tagged) ? l : `${indent}${l}`)));
        });
        break;
      }
      case 'fields':
        indent = '';
        for (const f of block.fields) out.push(`${style.paint('1', clean(f.label))}: ${spansText(f.value, style)}`);
        break;
      case 'actions':
        for (const b of block.buttons) out.push(`${indent}${buttonText(b, style)}`);
        break;
      case 'divider':
        indent = '';
        out.push(style.dim('─'.repeat(40)));
        break;
    }
    previous = block.type;
  }
  return `${out.join('\n')}\n`;
}

function isFindingButton(b: Button): boolean {
  return !b.intent || b.intent.intent === 'remedy' || b.intent.intent === 'runbook.open';
}

/** One line of spans as a terminal prints it (an error's words): commands as `chatops <command>`. */
export function terminalLine(spans: Line, options: TerminalOptions): string {
  return spansText(spans, terminalStyle(options.color));
}

function startsWithStatus(spans: Line): boolean {
  const first = spans[0];
  return first?.type === 'icon' && STATUSES.has(first.icon);
}

function paragraphLines(p: Paragraph, style: TerminalStyle): string[] {
  switch (p.type) {
    case 'line':
      return spansText(p.spans, style, true).split('\n');
    case 'code':
      return p.lines.map((l) => clean(l));
    case 'list':
      return p.items.map((item) => `• ${spansText(item, style)}`);
  }
}

/**
 * Spans as terminal text; a status icon leading a line becomes its tag column. Small print (`small`)
 * is dim, each piece on its own so a status icon in it keeps its colour.
 */
function spansText(spans: Line, style: TerminalStyle, leading = false, small = false): string {
  // An icon with no terminal form takes the space written after it along.
  let dropSpace = false;
  return spans
    .map((s, i) => {
      const afterEmptyIcon = dropSpace;
      dropSpace = false;
      if (s.type === 'icon') {
        const asTag = leading && i === 0 && STATUSES.has(s.icon);
        const shown = asTag ? style.tag(s.icon as Status) : iconText(s.icon, style, false);
        dropSpace = shown === '';
        return shown;
      }
      if (s.type === 'text') {
        const t = afterEmptyIcon ? clean(s.text).replace(/^ /, '') : clean(s.text);
        if (s.style === 'strong') return style.paint('1', t);
        if (s.style === 'em' || small) return style.dim(t);
        return t;
      }
      return small ? style.dim(spanWords(s)) : spanWords(s);
    })
    .join('');
}

function iconText(name: IconName, style: TerminalStyle, asTag: boolean): string {
  if (STATUSES.has(name)) return asTag ? style.tag(name as Status) : style.status(name as Status, `[${name.toUpperCase()}]`);
  return ICON_TEXT[name as Exclude<IconName, Status>];
}

function spanWords(s: Exclude<Span, { type: 'text' } | { type: 'icon' }>): string {
  switch (s.type) {
    case 'user':
    case 'group':
      return `@${clean(s.id)}`;
    case 'channel':
      return `#${clean(s.id)}`;
    case 'broadcast':
      return `@${s.to}`;
    case 'date': {
      const at = Date.parse(s.at);
      if (!Number.isFinite(at)) return clean(s.at.slice(0, 40));
      const iso = new Date(at).toISOString();
      if (s.format === 'time-secs') return `${iso.slice(11, 19)} UTC`;
      return s.format === 'time' ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, s.format === 'datetime-secs' ? 19 : 16)} UTC`;
    }
    case 'link':
      return s.text === undefined ? clean(s.url) : `${clean(s.text)} (${clean(s.url)})`;
    case 'command':
      return `chatops ${clean(s.name)}${s.args ? ` ${clean(s.args)}` : ''}`;
  }
}

function buttonText(b: Button, style: TerminalStyle): string {
  const label = clean(b.label);
  if (!b.intent) return `${style.dim('link:')} ${label} ${clean(b.url ?? '')}`;
  const what = describeIntent(b.intent);
  if (b.intent.intent === 'remedy') return `${style.dim('action:')} ${label} ${style.dim(`(${what})`)}`;
  if (b.intent.intent === 'runbook.open') return `${style.dim('runbook:')} ${clean(b.intent.runbook)}${b.url ? ` ${clean(b.url)}` : ''}`;
  return `${style.dim('button:')} ${label} ${style.dim(`(${what})`)}`;
}

/** What pressing the button would do, in words (the terminal has no buttons). */
export function describeIntent(intent: Intent): string {
  switch (intent.intent) {
    case 'remedy':
      return `${intent.action}${formatParams(intent.params)}`;
    case 'runbook.open':
      return `shows runbook ${intent.runbook}`;
    case 'runbook.checks':
      return `runs the checks of runbook ${intent.runbook}`;
    case 'incident.declare':
      return `declares an incident "${clean(intent.title)}"`;
    case 'incident.ack':
      return `acknowledges incident ${intent.incident}`;
    case 'incident.escalate':
      return `pages the next level of incident ${intent.incident} now`;
    case 'incident.resolve':
      return `resolves incident ${intent.incident}`;
    case 'digest.details':
      return `shows stored report ${intent.report}`;
    case 'confirm.run':
      return 'runs the confirmed action';
    case 'confirm.cancel':
      return 'cancels the action';
    case 'triage.explain':
      return `explains the findings of ${clean(intent.report.target)}`;
    case 'alert.useful':
    case 'alert.noise':
      return `marks alert group ${intent.group} (episode ${intent.episode}) ${intent.intent === 'alert.noise' ? 'noise' : 'useful'}`;
    case 'alert.silence':
      return `silences alert group ${intent.group} ${intent.minutes === 0 ? 'until it resolves' : `for ${intent.minutes} min`}`;
    case 'alert.unsilence':
      return `expires silence ${clean(intent.silence)} of alert group ${intent.group}`;
  }
}

function formatParams(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => {
      // JSON quoting also escapes control characters, which must not reach the terminal raw.
      const shown = typeof v === 'string' && !/^[\w.:/@-]*$/.test(v) ? JSON.stringify(v) : String(v);
      const cut = shown.length > 60 ? `${shown.slice(0, 59)}…` : shown;
      return ` ${k}=${cut.replace(/[\u007f-\u009f]/g, '?')}`;
    })
    .join('');
}

/** Control characters out (they would drive the terminal), CRLF to LF; keeps newlines and tabs. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
