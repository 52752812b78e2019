// What the probe refuses to run of a statement written in the bot's config (backupCheck.query)
// before sending it. The READ ONLY transaction stops every write to data, and the extended protocol
// stops a second statement; what they let through is a statement that is no query at all (COPY ...
// TO PROGRAM, SET ROLE, CALL, DO, LOCK) and the functions that act on the server from inside a
// read-only SELECT: ending or signalling sessions, reloading or rotating, resetting statistics,
// session-level advisory locks, replication slots, server files, large objects, and other
// connections (dblink, pg_background, http). A /diag must never do that by surprise. The list
// stops the calls written in the query; a function or view of the database's own that makes them
// runs like any other: the role the bot connects as is the real boundary (not a superuser, no
// pg_signal_backend).
import { maskQuery, shorten } from './mask-query.ts';

/** The statement kinds a query may start with. */
const QUERY_KEYWORDS = new Set(['select', 'with', 'values', 'table']);

/** Function names (lower case, without schema) that act on the server even in a read-only transaction. */
const ACTING_FUNCTIONS: readonly RegExp[] = [
  /^pg_(cancel|terminate)_backend$/,
  /^pg_reload_conf$/,
  /^pg_rotate_logfile/,
  /^pg_promote$/,
  /^pg_switch_(wal|xlog)$/,
  /^pg_create_restore_point$/,
  /^pg_(start|stop)_backup$/,
  /^pg_backup_(start|stop)$/,
  /^pg_(wal|xlog)_replay_(pause|resume)$/,
  /^pg_stat\w*_reset/,
  /advisory/,
  /replication_(slot|origin)/,
  /^pg_(create|drop|copy)_/,
  /^pg_file_/,
  /^pg_log_/,
  /^pg_(set|clear|restore)_\w*_stats$/,
  /^pg_truncate_visibility_map$/,
  /^lo_/,
  /^dblink/,
  /^pg_background/,
  /^http(_|$)/,
  /^set_config$/,
  /^pg_notify$/,
];

/**
 * Why the probe will not run `sql` as a backup query, or undefined when it may: it must be a query
 * (SELECT, WITH, VALUES or TABLE) and call none of the functions that act on the server.
 */
export function refusedStatement(sql: string): string | undefined {
  // Comments gone, string literals and numbers as `?`: a name inside a string is no call, and a
  // comment cannot hide the first keyword.
  const text = maskQuery(sql, Infinity);
  const first = /^[\s(]*([A-Za-z_]+)/.exec(text)?.[1]?.toLowerCase();
  if (!first || !QUERY_KEYWORDS.has(first)) {
    return `it is not a query (${first ? shorten(first.toUpperCase(), 30) : 'empty'}): only SELECT, WITH, VALUES or TABLE run`;
  }
  if (/\bU&"/i.test(text)) return 'it names an identifier in Unicode escapes (U&"..."): write the name plainly';
  // A name followed by "(": a function call (a quoted name is exact, an unquoted one folds to lower case).
  for (const m of text.matchAll(/("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\(/g)) {
    const token = m[1]!;
    const name = token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token.toLowerCase();
    if (ACTING_FUNCTIONS.some((re) => re.test(name))) {
      return `it calls ${shorten(name, 64)}(), which acts on the server or the session even in a read-only transaction`;
    }
  }
  return undefined;
}
