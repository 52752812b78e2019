// Shared by the alertmanager checks: the kind's finding helper.
import { findingFor } from '../http/probe-support.ts';

export const KIND = 'alertmanager';

export const finding = findingFor(KIND);
