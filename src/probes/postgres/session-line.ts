// One line per offending session in a finding's detail: who, where, how long, what.
import { formatDuration } from '../format.ts';
import { maskQuery } from './mask-query.ts';

export interface SessionRow {
  pid: number;
  usename: string | null;
  application_name: string | null;
  datname: string | null;
  query: string | null;
}

/** Most offenders a finding lists; the title carries the total. */
export const MAX_LINES = 5;

export function sessionLine(s: SessionRow, ageSeconds: number | null, label?: string): string {
  const parts = [`pid ${s.pid}`];
  if (s.usename) parts.push(`user ${s.usename}`);
  if (s.application_name) parts.push(`app ${s.application_name}`);
  if (s.datname) parts.push(`db ${s.datname}`);
  if (label) parts.push(label);
  if (ageSeconds !== null) parts.push(formatDuration(ageSeconds));
  return `${parts.join(', ')}: ${queryText(s.query)}`;
}

export function queryText(query: string | null): string {
  if (query === null) return '(query hidden)';
  if (query === '<insufficient privilege>') return '(query hidden: insufficient privilege)';
  const masked = maskQuery(query);
  return masked === '' ? '(no query yet)' : masked;
}

export function isHiddenQuery(query: string | null): boolean {
  return query === null || query === '<insufficient privilege>';
}
