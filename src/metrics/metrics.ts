// The bot's own metrics, served at GET /metrics on the HTTP port (Prometheus text format). One
// registry per process: every part of the bot counts into it, and a scrape reads it. Labels are
// bounded sets the bot itself chooses (a slash command, an action id, a Web API method, a kind, a
// check id, an outcome word), never text that arrived from outside.
import client from 'prom-client';

const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'chatops_process_' });

export const metrics = {
  registry,
  /** Slash commands handled: command = '/diag', outcome = ok | user_error | error | deduplicated. */
  commandsTotal: new client.Counter({ name: 'chatops_commands_total', help: 'Slash commands handled, by command and outcome (ok, user_error: answered with what to correct, error: an internal error, deduplicated: a retry or replay not run again)', labelNames: ['command', 'outcome'] as const, registers: [registry] }),
  /** From the command's arrival to its last answer. */
  commandDuration: new client.Histogram({ name: 'chatops_command_duration_seconds', help: 'Time from a slash command to its last answer', labelNames: ['command'] as const, buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60], registers: [registry] }),
  /**
   * Remedy presses that reached the runner: action = the catalogue's action id (k8s.restart...;
   * `unknown` for an id the catalogue does not have), outcome = succeeded | failed | refused |
   * denied | duplicate | interrupted. A run recorded interrupted by another replica (its process
   * gone) is counted by the replica that records it.
   */
  actionsTotal: new client.Counter({ name: 'chatops_actions_total', help: 'Remedy actions, by action id and outcome (succeeded, failed, refused, denied, duplicate, interrupted)', labelNames: ['action', 'outcome'] as const, registers: [registry] }),
  /** One probe run of a target, by kind. */
  probeDuration: new client.Histogram({ name: 'chatops_probe_duration_seconds', help: 'Time to probe one target, by kind', labelNames: ['kind'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [registry] }),
  /**
   * Targets whose latest probe run in this process gave this check this status: after each run of
   * a target its findings replace its previous ones, and the counts of its kind are set again (a
   * pair no target has any more reads 0).
   */
  findings: new client.Gauge({ name: 'chatops_findings', help: 'Targets whose latest probe run gave this check this status, by kind, check and status', labelNames: ['kind', 'check', 'status'] as const, registers: [registry] }),
  /**
   * Pages of the ladder (DMs, channel pages, thread lines): outcome = sent | late (sent more than
   * 2 s after its due time; also counted sent) | retried (an attempt failed, tried again later,
   * Slack's 429s included) | failed (given up).
   */
  pagesTotal: new client.Counter({ name: 'chatops_pages_total', help: 'Escalation pages, by outcome (sent; late: sent over 2 s after due, also counted sent; retried: an attempt failed; failed: given up)', labelNames: ['outcome'] as const, registers: [registry] }),
  /** From a page's due time to its send. */
  pageLag: new client.Histogram({ name: 'chatops_page_lag_seconds', help: 'Time from a page falling due to its being sent', buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [registry] }),
  /**
   * Escalation timers past due and not claimed by any replica, counted in the state store at each
   * scrape (so every replica reports the same number; a timer being handled is claimed, not due).
   */
  escalationTimersDue: new client.Gauge({ name: 'chatops_escalation_timers_due', help: 'Escalation timers past due and not yet claimed by any replica, counted in the state store at scrape time', registers: [registry] }),
  /**
   * Scheduled digest runs on this replica (catch-ups and take-overs included; `/digest now` is a
   * command, counted with the commands): outcome = posted | skipped (nothing to post) | failed |
   * handed_back (the claim was handed back or taken over before it posted).
   */
  digestRunsTotal: new client.Counter({ name: 'chatops_digest_runs_total', help: 'Scheduled digest runs, by outcome (posted, skipped, failed, handed_back, unknown: taken over after it began posting, not posted again)', labelNames: ['outcome'] as const, registers: [registry] }),
  /**
   * Slack Web API calls, one per call whatever its retries: method = chat.postMessage... (`other`
   * for a name not shaped like one), outcome = ok | rate_limited (given up on Slack's 429) | error.
   */
  slackApiCallsTotal: new client.Counter({ name: 'chatops_slack_api_calls_total', help: 'Slack Web API calls, by method and outcome (ok; rate_limited: given up on a 429; error)', labelNames: ['method', 'outcome'] as const, registers: [registry] }),
  /** Every 429 Slack answered, whether the client then waited and retried or gave up. */
  slackRateLimitedTotal: new client.Counter({ name: 'chatops_slack_rate_limited_total', help: 'HTTP 429 answers from the Slack Web API, by method, waited out or not', labelNames: ['method'] as const, registers: [registry] }),
  /**
   * Work not done twice: source = slack_retry (Slack's own retry of a request) | store (a replay
   * of a request, found in the state store) | redis | alert | press.
   */
  deduplicatedTotal: new client.Counter({ name: 'chatops_deduplicated_total', help: 'Requests or notifications recognised as already handled, by source', labelNames: ['source'] as const, registers: [registry] }),
  /**
   * Measurements taken at scrape time (the timers due, read from the state store): the /metrics
   * route runs them, each within a short time, before it reads the registry.
   */
  beforeScrape: new Set<() => Promise<void>>(),
};
