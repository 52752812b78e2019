// Shared by the prometheus checks: the kind's finding helper.
import { findingFor } from '../http/probe-support.ts';

export const KIND = 'prometheus';

export const finding = findingFor(KIND);
