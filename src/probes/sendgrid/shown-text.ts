// Text from SendGrid's answers (domain names, DNS record data, the account type) as a finding may
// show it: the shared one-line form (../shown-text.ts), "(empty)" when nothing printable is left.
import { shownText as oneLine } from '../shown-text.ts';

/** `text` on one line without control or formatting characters, at most `max` characters (then "…"). */
export function shownText(text: string, max: number): string {
  return oneLine(text, max, '(empty)');
}
