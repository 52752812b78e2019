// Shared by the prometheus checks: the kind's finding helper, typed by its check names.
import { findingFor } from '../http/probe-support.ts';

export const KIND = 'prometheus';

/** The names of the prometheus checks: a finding naming another is a type error. */
export type PrometheusCheckName = 'reachable' | 'targets' | 'alerts' | 'rules' | 'alertmanagers';

export const finding = findingFor<PrometheusCheckName>(KIND);
