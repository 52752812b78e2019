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
  commandsTotal: new client.Counter({ name: 'chatops_commands_total', help: 'Slash commands handled, by command and outcome', labelNames: ['command', 'outcome'] as const, registers: [registry] }),
  /** From the command's arrival to its last answer. */
  commandDuration: new client.Histogram({ name: 'chatops_command_duration_seconds', help: 'Time from a slash command to its last answer', labelNames: ['command'] as const, buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60], registers: [registry] }),
  /** Remedies: action = the action id (k8s.restart...), outcome = succeeded | failed | refused | interrupted | cancelled. */
  actionsTotal: new client.Counter({ name: 'chatops_actions_total', help: 'Remedy actions, by action id and outcome', labelNames: ['action', 'outcome'] as const, registers: [registry] }),
  /** One probe run of a target, by kind. */
  probeDuration: new client.Histogram({ name: 'chatops_probe_duration_seconds', help: 'Time to probe one target, by kind', labelNames: ['kind'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [registry] }),
  /** Findings of the latest runs: set per (kind, check, status) after each probe run. */
  findings: new client.Gauge({ name: 'chatops_findings', help: 'Findings of the latest probe run, by kind, check and status', labelNames: ['kind', 'check', 'status'] as const, registers: [registry] }),
  /** Pages (DMs of the ladder): outcome = sent | failed | late. */
  pagesTotal: new client.Counter({ name: 'chatops_pages_total', help: 'Escalation pages, by outcome (sent, failed, late)', labelNames: ['outcome'] as const, registers: [registry] }),
  /** From a page's due time to its send. */
  pageLag: new client.Histogram({ name: 'chatops_page_lag_seconds', help: 'Time from a page falling due to its being sent', buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [registry] }),
  /** Escalation timers due and not yet handled, as last seen by this replica. */
  escalationTimersDue: new client.Gauge({ name: 'chatops_escalation_timers_due', help: 'Escalation timers past due and not yet handled', registers: [registry] }),
  /** Digest runs: outcome = posted | failed | skipped. */
  digestRunsTotal: new client.Counter({ name: 'chatops_digest_runs_total', help: 'Scheduled digest runs, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
  /** Slack Web API calls: method = chat.postMessage..., outcome = ok | rate_limited | error. */
  slackApiCallsTotal: new client.Counter({ name: 'chatops_slack_api_calls_total', help: 'Slack Web API calls, by method and outcome (rate_limited included)', labelNames: ['method', 'outcome'] as const, registers: [registry] }),
  /** Work not done twice: source = slack_retry | redis | store | alert | press. */
  deduplicatedTotal: new client.Counter({ name: 'chatops_deduplicated_total', help: 'Requests or notifications recognised as already handled, by source', labelNames: ['source'] as const, registers: [registry] }),
};
