// What a report's "Declare incident" button carries, for the report's Block Kit; the incident
// buttons and the Declare dialog are declared in interactions/incident-interactions.ts.
export { DECLARE_INCIDENT_ACTION, type DeclarePayload } from './interactions/incident-interactions.ts';
