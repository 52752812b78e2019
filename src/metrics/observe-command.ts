// A slash command, counted and logged once it is answered: one operations line with the Slack
// request's trigger_id as its correlation id (present in HTTP and Socket Mode alike, and the same
// on Slack's retries of the request), its outcome and how long it took from its arrival.
import type { Logger } from '../logger.ts';
import { metrics } from './metrics.ts';

export type CommandOutcome = 'ok' | 'user_error' | 'error' | 'deduplicated';

export interface CommandRequest {
  /** With the slash, as registered (`/diag`): a bounded label, never what the user typed after it. */
  command: string;
  triggerId: string | undefined;
  user: string;
  channel: string;
}

export interface ObservedCommand {
  end(outcome: CommandOutcome): void;
}

export function observeCommand(request: CommandRequest, log: Logger): ObservedCommand {
  const started = process.hrtime.bigint();
  let ended = false;
  return {
    end(outcome) {
      if (ended) return;
      ended = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.commandsTotal.inc({ command: request.command, outcome });
      // A retry answered by the once check did no work: its duration says nothing about the command.
      if (outcome !== 'deduplicated') metrics.commandDuration.observe({ command: request.command }, seconds);
      const line = { op: 'command', correlation_id: request.triggerId ?? 'none', command: request.command, user: request.user, channel: request.channel, duration_ms: Math.round(seconds * 1000), outcome };
      if (outcome === 'error') log.warn(line, 'command');
      else log.info(line, 'command');
    },
  };
}
