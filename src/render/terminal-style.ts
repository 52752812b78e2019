// ANSI styling for terminal output, switched off when stdout is not a terminal.
import type { Status } from '../report.ts';

const COLOR: Record<Status, string> = { crit: '31', warn: '33', unknown: '90', ok: '32' };
/** Width of the status tag column, e.g. "[UNKNOWN] ". */
export const TAG_WIDTH = 10;

export interface TerminalStyle {
  paint(code: string, text: string): string;
  /** "[CRIT]   " in the status colour, padded to TAG_WIDTH - 1. */
  tag(status: Status): string;
  dim(text: string): string;
  status(status: Status, text: string): string;
}

export function terminalStyle(color: boolean): TerminalStyle {
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    paint,
    tag: (s) => paint(`1;${COLOR[s]}`, `[${s.toUpperCase()}]`.padEnd(TAG_WIDTH - 1)),
    dim: (text) => paint('2', text),
    status: (s, text) => paint(COLOR[s], text),
  };
}
