// Shared by the alertmanager checks: the kind's finding helper, typed by its check names.
import { findingFor } from '../http/probe-support.ts';

export const KIND = 'alertmanager';

/** The names of the alertmanager checks: a finding naming another is a type error. */
export type AlertmanagerCheckName = 'reachable' | 'alerts';

export const finding = findingFor<AlertmanagerCheckName>(KIND);
