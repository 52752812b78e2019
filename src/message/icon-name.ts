// The symbols a neutral message may show. Each renderer maps every name to its own form (a Slack
// emoji, a terminal tag or character): adding a name here is a type error until both do.
import type { Status } from '../report.ts';

export type IconName =
  | Status
  | 'progress'
  /** Something ran out of time (an expired button). */
  | 'expired'
  | 'error'
  | 'warning'
  | 'denied'
  | 'done'
  | 'info'
  | 'pager'
  | 'thread'
  | 'book'
  | 'eyes'
  | 'bell'
  | 'siren'
  | 'sev1'
  | 'sev2'
  | 'sev3'
  | 'sev4'
  | 'stop'
  | 'escalate'
  | 'chart';
