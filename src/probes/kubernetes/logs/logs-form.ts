// What `/diag logs` loads when it is used (the Kubernetes client comes with it): the report, and
// the parsing of its words.
export { diagLogs } from './diag-logs.ts';
export { parseSince, DEFAULT_SINCE_S } from './parse-since.ts';
export { parseSubject } from './resolve-log-subject.ts';
