// What time it is for the escalation engine and the incident service: the system's, or a test's
// fake clock that runs a ladder of hours in milliseconds.
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
