// The incidents and on-call part of a test bot's chatops.yml: incidents announced in C0INCIDENTS,
// a team lead, and one weekly rotation whose only member is U0ONCALL (paged first).
export const INCIDENTS_YAML = `incidents:
  channel: C0INCIDENTS
  roles:
    team-lead: { user: U0LEAD }
oncall:
  rotations:
    primary: { members: [U0ONCALL], every: weekly, handoff: "09:00", timezone: UTC, start: "2026-01-05" }
`;
