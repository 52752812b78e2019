// Text the API server sends (object names, schedules, condition reasons and messages) as a finding
// may show it: the shared one-line form (../shown-text.ts); a value that is not a string shows as nothing.
import { shownText } from '../shown-text.ts';

/** `value` on one line without control or formatting characters, at most `max` characters (then "…"); '' when not a string. */
export function apiText(value: unknown, max: number): string {
  return shownText(value, max);
}
