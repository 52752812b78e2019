// The bot's buttons and dialogs: every intent of src/message/intent.ts, declared once in its
// family's file. Checked against each other when this module loads (the bot does not start on a
// duplicate), and a family list that leaves an intent out does not typecheck.
import { createInteractionRegistry } from './interaction-registry.ts';
import { DIGEST_INTERACTIONS } from './digest-interactions.ts';
import { DECLARE_DIALOG, INCIDENT_INTERACTIONS } from './incident-interactions.ts';
import { REMEDY_INPUT_DIALOG, REMEDY_INTERACTIONS } from './remedy-interactions.ts';
import { RUNBOOK_INTERACTIONS } from './runbook-interactions.ts';
import { RUNBOOK_CHECKS_INTERACTIONS } from './runbook-checks-interactions.ts';
import { TRIAGE_INTERACTIONS } from './triage-interactions.ts';
import { ALERT_VOTE_INTERACTIONS } from './alert-vote-interactions.ts';
import { ALERT_SILENCE_INTERACTIONS } from './alert-silence-interactions.ts';

export const BOT_INTERACTIONS = createInteractionRegistry(
  [REMEDY_INTERACTIONS, RUNBOOK_INTERACTIONS, RUNBOOK_CHECKS_INTERACTIONS, INCIDENT_INTERACTIONS, DIGEST_INTERACTIONS, TRIAGE_INTERACTIONS, ALERT_VOTE_INTERACTIONS, ALERT_SILENCE_INTERACTIONS] as const,
  [REMEDY_INPUT_DIALOG, DECLARE_DIALOG],
);
