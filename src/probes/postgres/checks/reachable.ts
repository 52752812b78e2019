// Connect + `select 1` first: when that fails nothing else can run, and the error class
// (refused, auth, too many clients, timeout, DNS) is the finding.
import type { Pool, PoolClient } from 'pg';
import type { Finding } from '../../../report.ts';
import { finding, canSeeAllSessions, type ServerInfo } from '../check-context.ts';
import { classifyConnectError, errorCode, errorMessage } from '../classify-error.ts';

export type ReachableResult = { ok: true; finding: Finding; server: ServerInfo } | { ok: false; finding: Finding };

interface ServerRow {
  version_num: number;
  version: string;
  role: string;
  database: string;
  superuser: boolean;
  monitor: boolean;
  read_all_stats: boolean;
  in_recovery: boolean;
}

const SERVER_SQL = `/* chatops-probe */
select current_setting('server_version_num')::int as version_num,
       current_setting('server_version') as version,
       current_user as role,
       current_database() as database,
       coalesce((select rolsuper from pg_roles where rolname = current_user), false) as superuser,
       pg_has_role(current_user, 'pg_monitor', 'USAGE') as monitor,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') as read_all_stats,
       pg_is_in_recovery() as in_recovery`;

/**
 * The finding of a connection that failed: an outage is crit; a host name that does not resolve
 * or a login the server refuses is the bot's configuration (unknown, config), naming which.
 */
export function connectFailure(e: unknown, where: ConfiguredHost, timeoutMs: number, metrics?: Record<string, number>): Finding {
  const f = classifyConnectError(e, timeoutMs);
  if (f.config && f.kind === 'auth failed') {
    // The server answered: it is up, and it refuses the bot's own login.
    return finding('reachable', 'unknown', `The server refuses the bot's login: ${f.message}`, {
      config: true,
      fix:
        `check the user and password in targets.${where.targetName}.url (and the variable it reads), and that pg_hba.conf lets that user in ` +
        `from the bot's host; the server answered, but nothing else could be checked.`,
      ...(metrics && { metrics }),
    });
  }
  if (f.config) {
    return finding('reachable', 'unknown', `Host name ${where.host || '(none)'} does not resolve (${errorCode(e) ?? 'DNS'})`, {
      config: true,
      detail: f.message,
      fix:
        `check the host in targets.${where.targetName}.url (a typo, a name that only resolves elsewhere) and the DNS record ` +
        `from where the bot runs (\`getent hosts ${where.host}\`), or whether DNS itself is failing there (then the applications may not reach it either); nothing was checked on the server.`,
      ...(metrics && { metrics }),
    });
  }
  return finding('reachable', 'crit', `Unreachable: ${f.kind} (${f.message})`, { fix: f.fix, ...(metrics && { metrics }) });
}

/** The configured host and the target that names it, for a finding that blames the configuration. */
export interface ConfiguredHost {
  host: string;
  targetName: string;
}

export async function checkReachable(pool: Pool, timeoutMs: number, where: ConfiguredHost): Promise<ReachableResult> {
  const started = performance.now();
  let client: PoolClient | undefined;
  let failed = false;
  try {
    client = await pool.connect();
    await client.query('/* chatops-probe */ select 1');
  } catch (e) {
    failed = true;
    client?.release(true);
    return { ok: false, finding: connectFailure(e, where, timeoutMs, { connect_ms: Math.round(performance.now() - started) }) };
  } finally {
    if (!failed) client?.release();
  }
  const connectMs = Math.round(performance.now() - started);

  let row: ServerRow | undefined;
  try {
    row = (await pool.query<ServerRow>(SERVER_SQL)).rows[0];
  } catch (e) {
    return {
      ok: false,
      finding: finding('reachable', 'unknown', `Reachable, but reading the server settings failed: ${errorMessage(e)}`, {
        metrics: { connect_ms: connectMs },
      }),
    };
  }
  if (!row) throw new Error('server settings query returned no row');
  const server: ServerInfo = {
    versionNum: Number(row.version_num),
    version: row.version,
    role: row.role,
    database: row.database,
    superuser: row.superuser,
    monitor: row.monitor,
    readAllStats: row.read_all_stats,
    inRecovery: row.in_recovery,
  };
  const blind = !canSeeAllSessions(server);
  const title =
    `Reachable: PostgreSQL ${server.version.split(' ')[0]}${server.inRecovery ? ' (replica)' : ''}, ${connectMs} ms` +
    (blind ? `; role ${server.role} lacks pg_monitor` : '');
  return {
    ok: true,
    server,
    finding: finding('reachable', 'ok', title, {
      detail: blind ? `Other roles' sessions and query text are hidden from ${server.role}.` : undefined,
      fix: blind ? `GRANT pg_monitor TO ${server.role};` : undefined,
      metrics: { connect_ms: connectMs, server_version_num: server.versionNum },
    }),
  };
}
