// What is left of the incident Block Kit: the action ids of the incident buttons (the incident
// card and pages are neutral messages now: src/incidents/incident-card-message.ts and
// page-message.ts) and the date markup of the escalation refusal.

export const INCIDENT_ACTIONS = { ack: 'incident:ack', escalate: 'incident:escalate', resolve: 'incident:resolve' } as const;

/** <!date^…> shows the time in each reader's own time zone. */
export function slackDate(at: Date, format = '{date_short_pretty} {time}'): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${at.toISOString()}>`;
}
