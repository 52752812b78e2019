// How much a transport can show in one message. A producer that must choose what to leave out
// (a long report) asks the renderer's budget; nothing else in the engine knows a transport's limits.
import type { Intent } from './intent.ts';

export interface Budget {
  /** Blocks in one message. */
  maxBlocks: number;
  /** Characters of one section (all its paragraphs). */
  maxSectionText: number;
  /** Characters of a header. */
  maxHeaderText: number;
  /** Characters of a button's label. */
  maxButtonText: number;
  /** Buttons in one actions block. */
  maxButtons: number;
  /** Characters of all the text of one message. */
  maxMessageText: number;
  /** Length of a text as the transport counts it (Slack counts it escaped); never less than text.length. */
  measure(text: string): number;
  /** Whether a button carrying this intent can be sent (Slack: its value and action id fit); absent: every one can. */
  fitsButton?(intent: Intent): boolean;
}

/** A terminal, a JSON file: everything fits. */
export const UNLIMITED_BUDGET: Budget = {
  maxBlocks: Infinity,
  maxSectionText: Infinity,
  maxHeaderText: Infinity,
  maxButtonText: Infinity,
  maxButtons: Infinity,
  maxMessageText: Infinity,
  measure: (t) => t.length,
};
