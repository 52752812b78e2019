// Every icon of the neutral message model as a Slack emoji.
import type { IconName } from '../message/icon-name.ts';

export const ICON_EMOJI: Record<IconName, string> = {
  crit: ':red_circle:',
  warn: ':large_orange_circle:',
  unknown: ':white_circle:',
  ok: ':large_green_circle:',
  progress: ':hourglass_flowing_sand:',
  expired: ':hourglass:',
  error: ':x:',
  warning: ':warning:',
  denied: ':no_entry:',
  done: ':white_check_mark:',
  info: ':information_source:',
  pager: ':pager:',
  thread: ':thread:',
  book: ':book:',
  eyes: ':eyes:',
  bell: ':bell:',
  siren: ':rotating_light:',
  sev1: ':rotating_light:',
  sev2: ':red_circle:',
  sev3: ':large_orange_circle:',
  sev4: ':large_yellow_circle:',
  stop: ':octagonal_sign:',
  escalate: ':arrow_double_up:',
  chart: ':chart_with_upwards_trend:',
};
