// The error reference behind `/diag explain`: error codes and messages people paste from logs,
// dashboards and client libraries, each with what it means, where it comes from, what to check
// and the runbook that deals with it. Data only; src/triage/explain/find-error.ts searches it.
// Every runbook id here must exist in runbooks/ (a test loads them all).

/** Where a code comes from; a word before the code ("SQLSTATE 53300", "HTTP 504") narrows to one family. */
export type ErrorFamily = 'errno' | 'tls' | 'go' | 'http' | 'postgres' | 'redis' | 'stripe' | 'k8s' | 'exit' | 'smtp' | 'openai';

export const FAMILY_NAMES: Readonly<Record<ErrorFamily, string>> = {
  errno: 'operating system error, errno',
  tls: 'TLS certificate error',
  go: 'Go client error (Prometheus, Kubernetes, exporters)',
  http: 'HTTP status',
  postgres: 'PostgreSQL error, SQLSTATE',
  redis: 'Redis error reply',
  stripe: 'Stripe error or decline code',
  k8s: 'Kubernetes reason',
  exit: 'Container exit code',
  smtp: 'SMTP reply or SendGrid error',
  openai: 'OpenAI API error',
};

export interface ErrorReference {
  family: ErrorFamily;
  /** The codes as they are written (`ECONNREFUSED`, `53300`, `card_declined`, `137`): matched whole, in any case. None when only a message identifies it. */
  codes: readonly string[];
  /** The name that goes with the code (`too_many_connections`, `Gateway Timeout`). */
  name: string;
  /** Messages (or their telling part) as they appear in logs and answers: matched as words, typos forgiven. */
  messages: readonly string[];
  /** What it means, in a sentence or two. */
  meaning: string;
  /** Who says it, and when. */
  source: string;
  /** What to look at first. */
  check: readonly string[];
  /** Runbook ids, the most relevant first. */
  runbooks: readonly string[];
}


export const ERROR_REFERENCE: readonly ErrorReference[] = [
  // --- Operating system errors (Node.js, libc, libpq, every client library) --------------------
  {
    family: 'errno', codes: ['ECONNREFUSED'], name: 'connection refused', messages: ['connect ECONNREFUSED', 'connection refused', 'Is the server running on host'],
    meaning: 'The host answered, but nothing listens on that port: the service is down, restarting, or listening on another address or port.',
    source: 'The operating system, when a TCP connection is actively rejected; surfaced by every client (Node.js, libpq, redis clients, HTTP clients).',
    check: ['Is the service running (process, pod, container) and has it finished starting?', 'Does the client use the right host and port (a changed Service, a wrong environment variable)?', 'Does the service listen on all interfaces, not only 127.0.0.1?'],
    runbooks: ['postgres-connection-failures', 'redis-connection-problems', 'http-health-endpoint'],
  },
  {
    family: 'errno', codes: ['ECONNRESET'], name: 'connection reset by peer', messages: ['read ECONNRESET', 'socket hang up', 'connection reset by peer'],
    meaning: 'An open connection was closed abruptly by the other side (or something in between) while it was in use.',
    source: 'The operating system, when a TCP reset arrives; common behind load balancers, proxies and NAT gateways that drop idle connections.',
    check: ['Did the server restart or crash at that moment (restarts, OOM kills)?', 'Is a proxy or load balancer idle timeout shorter than the client\'s keep-alive?', 'Is the server closing connections for going over a limit (max clients, request size)?'],
    runbooks: ['http-health-endpoint', 'redis-connection-problems', 'k8s-crashing-pods'],
  },
  {
    family: 'errno', codes: ['ETIMEDOUT'], name: 'connection timed out', messages: ['connect ETIMEDOUT', 'connection timed out', 'operation timed out'],
    meaning: 'No answer came within the time limit: the host is unreachable, a firewall drops the packets, or the server is too busy to accept.',
    source: 'The operating system or the client library\'s own timer.',
    check: ['Is the host reachable from where the client runs (security groups, network policies, firewall rules)?', 'Is the server saturated (CPU, connection backlog, slow queries)?', 'Did DNS return an address that no longer exists?'],
    runbooks: ['http-health-endpoint', 'postgres-connection-failures', 'redis-connection-problems'],
  },
  {
    family: 'errno', codes: ['ENOTFOUND', 'EAI_AGAIN'], name: 'host name not found', messages: ['getaddrinfo ENOTFOUND', 'getaddrinfo EAI_AGAIN', 'could not translate host name', 'Name or service not known', 'no such host'],
    meaning: 'The host name could not be resolved to an address: a typo, a record that was removed, or DNS itself failing (EAI_AGAIN is a temporary DNS failure).',
    source: 'The resolver (getaddrinfo) before any connection is tried.',
    check: ['Is the host name spelled right in the configuration of that environment?', 'Does the record exist (dig/nslookup from the same network, the cluster\'s DNS for *.svc names)?', 'Is the cluster DNS (CoreDNS) healthy?'],
    runbooks: ['http-health-endpoint', 'postgres-connection-failures', 'k8s-services-and-ingress'],
  },
  {
    family: 'errno', codes: ['ENOSPC'], name: 'no space left on device', messages: ['ENOSPC: no space left on device', 'No space left on device'],
    meaning: 'A write failed because the file system is full (or out of inodes).',
    source: 'The operating system, on any write: databases, logs, temporary files, container layers.',
    check: ['Which volume is full (df -h and df -i on the host or in the pod)?', 'What grew: logs, WAL, temporary files, old images?', 'Can the volume be expanded (the claim\'s storage class allows expansion)?'],
    runbooks: ['k8s-storage', 'postgres-maintenance', 'postgres-backups'],
  },
  {
    family: 'errno', codes: ['EMFILE', 'ENFILE'], name: 'too many open files', messages: ['EMFILE: too many open files', 'Too many open files'],
    meaning: 'The process (EMFILE) or the whole system (ENFILE) reached its limit of open file descriptors; every socket counts as one.',
    source: 'The operating system, when a file or socket is opened past the ulimit.',
    check: ['Does the process leak connections or files (descriptor count growing over time)?', 'Is a connection pool unbounded, or are connections never released?', 'Is the limit (ulimit -n, the container runtime\'s default) too low for the load?'],
    runbooks: ['k8s-resource-usage', 'postgres-connection-exhaustion'],
  },
  {
    family: 'errno', codes: ['EACCES', 'EPERM'], name: 'permission denied', messages: ['EACCES: permission denied', 'permission denied', 'operation not permitted'],
    meaning: 'The process is not allowed to do that: read or write a file, bind a port below 1024, or run a binary.',
    source: 'The operating system, on file, socket or exec calls.',
    check: ['Which user does the container run as, and who owns the mounted volume (fsGroup, runAsUser)?', 'Does it bind a privileged port without the capability?', 'Did an image change the user or the file modes?'],
    runbooks: ['k8s-storage', 'k8s-crashing-pods'],
  },
  {
    family: 'errno', codes: ['EADDRINUSE'], name: 'address already in use', messages: ['listen EADDRINUSE', 'address already in use'],
    meaning: 'The port the process wants to listen on is taken, often by a previous instance that has not exited.',
    source: 'The operating system, when a server binds its port.',
    check: ['Is another process or an old instance still running on that port?', 'Do two containers of one pod use the same port?'],
    runbooks: ['k8s-crashing-pods'],
  },

  {
    family: 'errno', codes: ['EHOSTUNREACH', 'ENETUNREACH'], name: 'no route to host', messages: ['No route to host', 'Network is unreachable'],
    meaning: 'The network has no path to that address: the host is down, or a route, firewall or network policy is missing.',
    source: 'The operating system, when a connection attempt has nowhere to go.',
    check: ['Is the address still in use (a node or instance that was replaced)?', 'Do security groups, network policies or VPN routes allow the path?'],
    runbooks: ['http-health-endpoint', 'k8s-services-and-ingress'],
  },
  {
    family: 'errno', codes: ['EPIPE'], name: 'broken pipe', messages: ['write EPIPE', 'Broken pipe'],
    meaning: 'The process wrote to a connection the other side had already closed.',
    source: 'The operating system, on a write to a closed socket or pipe.',
    check: ['Did the peer restart, time out or close idle connections (a pool keeping dead connections)?'],
    runbooks: ['http-health-endpoint', 'redis-connection-problems'],
  },

  // --- TLS certificates -----------------------------------------------------------------------
  {
    family: 'tls', codes: ['CERT_HAS_EXPIRED'], name: 'certificate expired', messages: ['certificate has expired', 'x509: certificate has expired or is not yet valid'],
    meaning: 'The server presented a certificate past its end date (or the client\'s clock is wrong).',
    source: 'The TLS client (Node.js, Go, OpenSSL) verifying the server.',
    check: ['When does the served certificate end (the bot\'s http check shows the days left)?', 'Did renewal (cert-manager, the load balancer\'s certificate) fail or not reach every server?', 'Is the client\'s clock right?'],
    runbooks: ['http-health-endpoint', 'k8s-certificates'],
  },
  {
    family: 'tls', codes: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'], name: 'certificate not trusted', messages: ['unable to verify the first certificate', 'self signed certificate', 'x509: certificate signed by unknown authority'],
    meaning: 'The client cannot chain the certificate to an authority it trusts: the server sends no intermediate certificate, or the certificate is self-signed or from a private CA.',
    source: 'The TLS client verifying the server.',
    check: ['Does the server send the full chain (leaf and intermediates)?', 'For a private CA: is its certificate in the client\'s trust store (NODE_EXTRA_CA_CERTS)?'],
    runbooks: ['http-health-endpoint', 'k8s-certificates'],
  },
  {
    family: 'tls', codes: ['ERR_TLS_CERT_ALTNAME_INVALID'], name: 'certificate for another name', messages: ["Hostname/IP does not match certificate's altnames", 'x509: certificate is valid for'],
    meaning: 'The certificate is valid, but not for the host name the client asked for.',
    source: 'The TLS client checking the name.',
    check: ['Is the client using the name the certificate was issued for (not an IP, not an internal alias)?', 'Does the ingress serve the right certificate for that host (SNI)?'],
    runbooks: ['http-health-endpoint', 'k8s-certificates'],
  },

  // --- Go clients ----------------------------------------------------------------------------
  {
    family: 'go', codes: [], name: 'context deadline exceeded', messages: ['context deadline exceeded', 'i/o timeout', 'Client.Timeout exceeded while awaiting headers'],
    meaning: 'A Go program gave up waiting: the request (a scrape, an API call) took longer than its timeout.',
    source: 'Go programs: Prometheus scrapes, Kubernetes components, exporters, CLIs.',
    check: ['For a scrape: is the target slow to answer /metrics (scrape_duration_seconds near scrape_timeout)?', 'Is the target reachable from where the Go program runs?'],
    runbooks: ['prometheus-targets-down', 'http-health-endpoint'],
  },

  // --- HTTP statuses ---------------------------------------------------------------------------
  {
    family: 'http', codes: ['400'], name: 'Bad Request', messages: ['400 Bad Request'],
    meaning: 'The server refused the request as malformed or invalid: a missing field, a bad parameter, a body it cannot parse.',
    source: 'The server or API that received the request; the body of the answer usually says which field.',
    check: ['Read the error body: it names the parameter.', 'Did a client or API version change (a new required field, a removed parameter)?'],
    runbooks: ['third-party-api-limits', 'http-health-endpoint'],
  },
  {
    family: 'http', codes: ['401'], name: 'Unauthorized', messages: ['401 Unauthorized'],
    meaning: 'The request carried no credentials, or the server did not accept them: a wrong, expired or revoked key or token.',
    source: 'The API or the gateway in front of it.',
    check: ['Was a key rotated or revoked, and does every deployment use the new one?', 'Is the key for the right account, organization or environment (test vs live)?'],
    runbooks: ['third-party-api-limits', 'ai-provider-keys', 'stripe-api-key'],
  },
  {
    family: 'http', codes: ['403'], name: 'Forbidden', messages: ['403 Forbidden'],
    meaning: 'The server knows who is asking and refuses: the key lacks the permission or scope, or the caller\'s address or region is blocked.',
    source: 'The API, a WAF, or an ingress with an allow list.',
    check: ['Which permission or scope does the key have?', 'Is an IP allow list, WAF rule or region restriction in the way?'],
    runbooks: ['third-party-api-limits', 'ai-provider-keys', 'k8s-api-access'],
  },
  {
    family: 'http', codes: ['404'], name: 'Not Found', messages: ['404 Not Found'],
    meaning: 'Nothing is at that path: a wrong URL or version path, a removed route, or an ingress sending the request to the wrong service.',
    source: 'The server, or the ingress/load balancer when no rule matches.',
    check: ['Is the URL (and its version path, /v1) right?', 'Does the ingress rule route that host and path to the service?', 'Was the route removed in the last deploy?'],
    runbooks: ['http-health-endpoint', 'k8s-services-and-ingress'],
  },
  {
    family: 'http', codes: ['408'], name: 'Request Timeout', messages: ['408 Request Timeout'],
    meaning: 'The server gave up waiting for the client to finish sending the request.',
    source: 'The server or a proxy in front of it, usually on slow clients or stalled uploads.',
    check: ['Is the network between client and server slow or lossy?', 'Does the client send large bodies slowly (uploads)?'],
    runbooks: ['http-health-endpoint'],
  },
  {
    family: 'http', codes: ['429'], name: 'Too Many Requests', messages: ['429 Too Many Requests', 'rate limit exceeded', 'too many requests'],
    meaning: 'The caller is over a rate limit or a quota; the answer often says when to retry (Retry-After, x-ratelimit-reset).',
    source: 'The API (OpenAI, Stripe, SendGrid, GitHub...) or a gateway that limits callers.',
    check: ['Is it a rate limit (back off and retry later) or a used-up quota (retrying will not help)?', 'What sends the burst: a retry loop, a backfill, a new feature?', 'Is the client retrying with backoff and honouring Retry-After?'],
    runbooks: ['third-party-api-limits', 'ai-provider-quota-and-rate-limits'],
  },
  {
    family: 'http', codes: ['500'], name: 'Internal Server Error', messages: ['500 Internal Server Error'],
    meaning: 'The server failed while handling the request: an unhandled exception, a failed dependency.',
    source: 'The application behind the URL; its own logs say why.',
    check: ['Read the application\'s error logs at that time.', 'Did a deploy or a dependency (database, cache) fail at the same moment?'],
    runbooks: ['http-health-endpoint', 'ai-provider-outage', 'k8s-crashing-pods'],
  },
  {
    family: 'http', codes: ['502'], name: 'Bad Gateway', messages: ['502 Bad Gateway', 'upstream prematurely closed connection', 'upstream connect error'],
    meaning: 'A proxy or load balancer got no valid answer from the service behind it: the backend crashed, refused, or closed the connection.',
    source: 'The proxy in front (nginx, an ingress controller, a cloud load balancer), not the application itself.',
    check: ['Are the backend pods running and ready (restarts, crash loops)?', 'Does the service have ready endpoints, and does its port match the container\'s?', 'Are backends killed mid-request (OOM, rollouts without graceful shutdown)?'],
    runbooks: ['k8s-services-and-ingress', 'k8s-crashing-pods', 'http-health-endpoint'],
  },
  {
    family: 'http', codes: ['503'], name: 'Service Unavailable', messages: ['503 Service Unavailable', 'no healthy upstream', 'service temporarily unavailable'],
    meaning: 'The service cannot take the request now: no ready backends, overloaded, or in maintenance.',
    source: 'The application, or the proxy when no backend is ready.',
    check: ['Does the service have ready endpoints (readiness probes failing, a rollout in progress)?', 'Is it shedding load (CPU, connection pools)?'],
    runbooks: ['k8s-services-and-ingress', 'k8s-rollout-problems', 'http-health-endpoint'],
  },
  {
    family: 'http', codes: ['504'], name: 'Gateway Timeout', messages: ['504 Gateway Timeout', 'upstream request timeout', 'upstream timed out'],
    meaning: 'A proxy waited for the service behind it longer than its timeout: the backend is slow or stuck, often on a database.',
    source: 'The proxy or load balancer in front of the application.',
    check: ['Is the database slow or locked (long queries, blocking locks)?', 'Are the backends saturated (CPU throttling, full connection pools)?', 'Is the proxy\'s timeout shorter than the slowest legitimate request?'],
    runbooks: ['http-health-endpoint', 'postgres-slow-queries', 'postgres-locks'],
  },

  // --- PostgreSQL ------------------------------------------------------------------------------
  {
    family: 'postgres', codes: ['53300'], name: 'too_many_connections', messages: ['sorry, too many clients already', 'too many clients already', 'remaining connection slots are reserved', 'too many connections for role'],
    meaning: 'Every connection slot (max_connections, or the role\'s or database\'s own limit) is taken, so new connections are refused.',
    source: 'PostgreSQL, at connection time (class 53: insufficient resources).',
    check: ['Who holds the connections (pg_stat_activity by application and state)?', 'Are many idle or idle in transaction (a leak, a pool too large per replica)?', 'Did the number of replicas times the pool size grow past max_connections?'],
    runbooks: ['postgres-connection-exhaustion'],
  },
  {
    family: 'postgres', codes: ['57014'], name: 'query_canceled', messages: ['canceling statement due to statement timeout', 'canceling statement due to user request'],
    meaning: 'A statement was cancelled: it ran past statement_timeout, or someone (or a client timeout) cancelled it.',
    source: 'PostgreSQL, when a running statement is cancelled.',
    check: ['Which statement, and why is it slow now (a plan change, missing index, more data)?', 'Was it waiting on a lock rather than working?', 'Is statement_timeout set on purpose for that role?'],
    runbooks: ['postgres-slow-queries', 'postgres-locks'],
  },
  {
    family: 'postgres', codes: ['40P01'], name: 'deadlock_detected', messages: ['deadlock detected', 'Process waits for ShareLock on transaction'],
    meaning: 'Two or more transactions each waited for a lock the other held; PostgreSQL aborted one of them to break the cycle.',
    source: 'PostgreSQL, after deadlock_timeout (1 s by default) of waiting.',
    check: ['Which statements were involved (the server log has both)?', 'Do code paths lock the same rows or tables in different orders?', 'Can the transactions be shorter, or lock in one consistent order?'],
    runbooks: ['postgres-locks'],
  },
  {
    family: 'postgres', codes: ['40001'], name: 'serialization_failure', messages: ['could not serialize access due to concurrent update', 'could not serialize access due to read/write dependencies', 'canceling statement due to conflict with recovery'],
    meaning: 'The transaction conflicted with a concurrent one under REPEATABLE READ or SERIALIZABLE (or, on a replica, with replication) and must be retried.',
    source: 'PostgreSQL, at the conflicting statement or at commit.',
    check: ['Does the application retry serialization failures, as it must at that isolation level?', 'Are hot rows updated by many transactions at once?', 'On a replica: long queries conflicting with replay (max_standby_streaming_delay, hot_standby_feedback)?'],
    runbooks: ['postgres-locks', 'postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['55P03'], name: 'lock_not_available', messages: ['could not obtain lock on', 'canceling statement due to lock timeout'],
    meaning: 'A lock could not be taken: NOWAIT was used, or lock_timeout passed while another session held it.',
    source: 'PostgreSQL, on a statement waiting for a lock.',
    check: ['Which session holds the lock (pg_blocking_pids)?', 'Is a migration or a long transaction holding it?'],
    runbooks: ['postgres-locks'],
  },
  {
    family: 'postgres', codes: ['25P02'], name: 'in_failed_sql_transaction', messages: ['current transaction is aborted, commands ignored until end of transaction block'],
    meaning: 'An earlier statement of this transaction failed; until the client rolls back, every statement is refused.',
    source: 'PostgreSQL, to a client that kept using a failed transaction.',
    check: ['Find the first error of the transaction (the real cause) in the logs.', 'Does the code roll back on error, and does the pool reset connections returned mid-transaction?'],
    runbooks: ['postgres-locks'],
  },
  {
    family: 'postgres', codes: ['25P03'], name: 'idle_in_transaction_session_timeout', messages: ['terminating connection due to idle-in-transaction timeout'],
    meaning: 'A session sat idle inside an open transaction longer than idle_in_transaction_session_timeout and was closed.',
    source: 'PostgreSQL, ending the idle session.',
    check: ['Which code opens a transaction and then waits (on an HTTP call, on user input)?', 'Do the sessions pile up in pg_stat_activity as idle in transaction?'],
    runbooks: ['postgres-locks', 'postgres-connection-exhaustion'],
  },
  {
    family: 'postgres', codes: ['53100'], name: 'disk_full', messages: ['could not extend file', 'could not write to file', 'No space left on device'],
    meaning: 'The database could not write because its disk is full.',
    source: 'PostgreSQL, when a write to the data directory, WAL or temporary files fails.',
    check: ['What filled the disk: tables, WAL kept by an inactive replication slot or failing archiving, temporary files of big sorts?', 'Can the volume grow before anything is deleted?'],
    runbooks: ['postgres-maintenance', 'postgres-backups', 'k8s-storage'],
  },
  {
    family: 'postgres', codes: ['53200'], name: 'out_of_memory', messages: ['out of memory', 'Failed on request of size'],
    meaning: 'A backend could not allocate memory for a query.',
    source: 'PostgreSQL, in the backend running the query.',
    check: ['Which query: a big sort or hash with a large work_mem, many connections each using work_mem?', 'Is the server or container near its memory limit?'],
    runbooks: ['postgres-slow-queries', 'k8s-resource-usage'],
  },
  {
    family: 'postgres', codes: ['57P01'], name: 'admin_shutdown', messages: ['terminating connection due to administrator command'],
    meaning: 'The server closed the connection on purpose: it is shutting down or restarting, or someone ran pg_terminate_backend.',
    source: 'PostgreSQL, to each session it terminates.',
    check: ['Was the server restarted, failed over or upgraded at that time?', 'Did an operator or a tool terminate sessions?', 'Do the clients reconnect cleanly?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['57P03'], name: 'cannot_connect_now', messages: ['the database system is starting up', 'the database system is shutting down', 'the database system is in recovery mode'],
    meaning: 'The server is up but not accepting connections yet (or any more): starting, shutting down, or recovering after a crash.',
    source: 'PostgreSQL, at connection time.',
    check: ['Did it crash (the server log before the restart, an OOM kill)?', 'How long is recovery taking (WAL to replay)?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['28P01'], name: 'invalid_password', messages: ['password authentication failed for user'],
    meaning: 'The server refused the password for that user.',
    source: 'PostgreSQL, during authentication.',
    check: ['Was the password rotated, and does every client use the new one?', 'Is the user name right for this environment?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['28000'], name: 'invalid_authorization_specification', messages: ['no pg_hba.conf entry for host', 'role does not exist'],
    meaning: 'The server has no rule allowing this user, database and address (or SSL setting), or the role does not exist.',
    source: 'PostgreSQL, checking pg_hba.conf and the roles.',
    check: ['Does pg_hba.conf allow the client\'s address, database and user (and SSL if required)?', 'Did the client\'s address change (new nodes, a new egress)?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['3D000'], name: 'invalid_catalog_name', messages: ['database does not exist'],
    meaning: 'The database named in the connection does not exist on that server.',
    source: 'PostgreSQL, at connection time.',
    check: ['Is the database name in the connection string right for this environment?', 'Is the client pointed at the right server (a restored or new instance)?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['42P01'], name: 'undefined_table', messages: ['relation does not exist'],
    meaning: 'A query names a table or view that is not there: a migration not run, a wrong schema (search_path), or the wrong database.',
    source: 'PostgreSQL, when the statement is parsed.',
    check: ['Did the deploy run its migrations before the new code started?', 'Is the connection on the right database and search_path?'],
    runbooks: ['k8s-rollout-problems', 'postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['42501'], name: 'insufficient_privilege', messages: ['permission denied for table', 'permission denied for schema', 'permission denied for relation'],
    meaning: 'The user is not granted the right on that object.',
    source: 'PostgreSQL, when the statement runs.',
    check: ['Which role runs it, and what was granted (a new table created by another role)?', 'Did default privileges cover tables created by migrations?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['23505'], name: 'unique_violation', messages: ['duplicate key value violates unique constraint'],
    meaning: 'An insert or update would create a second row with a value a unique index allows only once.',
    source: 'PostgreSQL, from the unique index or constraint named in the message.',
    check: ['Is the same work done twice (a retried job, a redelivered webhook, a double submit)? Make it idempotent.', 'Is a sequence behind the table\'s data (after a restore or a manual insert)?'],
    runbooks: ['postgres-indexes', 'stripe-webhook-delivery'],
  },
  {
    family: 'postgres', codes: ['08006', '08001', '08003', '08P01'], name: 'connection_failure', messages: ['server closed the connection unexpectedly', 'could not connect to server', 'connection to server failed', 'terminating connection because of crash of another server process', 'Connection terminated unexpectedly'],
    meaning: 'The connection to the server failed or broke: the server went away, crashed, or the network dropped it.',
    source: 'The PostgreSQL client (libpq, node-postgres) or the server (class 08: connection exception).',
    check: ['Did the server restart or crash (one backend crashing restarts them all)?', 'Is something between client and server closing idle connections?', 'Does the pool drop broken connections and reconnect?'],
    runbooks: ['postgres-connection-failures'],
  },
  {
    family: 'postgres', codes: ['54000'], name: 'program_limit_exceeded', messages: ['database is not accepting commands to avoid wraparound data loss'],
    meaning: 'A hard limit was reached; the serious case is transaction ID wraparound, where the database stops writes until it is vacuumed.',
    source: 'PostgreSQL.',
    check: ['How old is the oldest transaction ID per database (age(datfrozenxid))?', 'What blocks vacuum: long transactions, abandoned replication slots or prepared transactions?'],
    runbooks: ['postgres-maintenance'],
  },

  // --- Redis -----------------------------------------------------------------------------------
  {
    family: 'redis', codes: ['OOM'], name: 'out of memory', messages: ["OOM command not allowed when used memory > 'maxmemory'", 'command not allowed when used memory'],
    meaning: 'Redis is at maxmemory and its eviction policy (noeviction, or volatile-* with no keys to evict) does not free room, so writes are refused.',
    source: 'Redis, to every command that would use more memory.',
    check: ['How close is used_memory to maxmemory, and which keys grew?', 'Is the eviction policy right for a cache (allkeys-lru) or a store (noeviction, then more memory)?', 'Do keys have TTLs?'],
    runbooks: ['redis-memory-pressure'],
  },
  {
    family: 'redis', codes: ['LOADING'], name: 'loading the dataset', messages: ['Redis is loading the dataset in memory'],
    meaning: 'Redis restarted and is still reading its RDB or AOF file; it answers no commands until it is done.',
    source: 'Redis, after a start or a replica resync.',
    check: ['Why did it restart (OOM kill, crash, deploy)?', 'How large is the dataset to load?'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['READONLY'], name: 'read-only replica', messages: ["You can't write against a read only replica", "can't write against a read only slave"],
    meaning: 'A write went to a replica: after a failover the client still talks to the old primary, now a replica.',
    source: 'Redis, on a replica with replica-read-only.',
    check: ['Did a failover happen, and does the client follow it (Sentinel or cluster aware, DNS refreshed)?', 'Does the connection string name the primary?'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['NOAUTH'], name: 'authentication required', messages: ['NOAUTH Authentication required'],
    meaning: 'The server requires a password and the client sent none.',
    source: 'Redis, to any command before AUTH.',
    check: ['Does the client\'s URL or settings carry the password for this environment?', 'Was requirepass or an ACL enabled recently?'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['WRONGPASS'], name: 'wrong password', messages: ['invalid username-password pair or user is disabled'],
    meaning: 'AUTH was refused: a wrong password or user, or the ACL user is disabled.',
    source: 'Redis 6+, on AUTH.',
    check: ['Was the password or ACL rotated without updating the clients?', 'Is the user name right (default vs an ACL user)?'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['MISCONF'], name: 'cannot persist', messages: ["Redis is configured to save RDB snapshots, but it's currently unable to persist to disk"],
    meaning: 'The last background save failed, and with stop-writes-on-bgsave-error Redis refuses writes until a save succeeds.',
    source: 'Redis, after a failed BGSAVE.',
    check: ['Why did the save fail (disk full, permissions, fork failing for lack of memory)?', 'rdb_last_bgsave_status in INFO persistence.'],
    runbooks: ['redis-connection-problems', 'redis-memory-pressure'],
  },
  {
    family: 'redis', codes: ['CROSSSLOT'], name: 'keys in different slots', messages: ["Keys in request don't hash to the same slot"],
    meaning: 'In Redis Cluster, a multi-key command named keys that live in different hash slots.',
    source: 'Redis Cluster, refusing the command.',
    check: ['Use hash tags ({user:42}:a, {user:42}:b) so related keys share a slot.', 'Did the code move from a single Redis to a cluster?'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['BUSY'], name: 'busy running a script', messages: ['Redis is busy running a script', 'You can only call SCRIPT KILL or SHUTDOWN NOSAVE'],
    meaning: 'A Lua script or function has run longer than busy-reply-threshold; Redis answers nothing else meanwhile.',
    source: 'Redis, while a script blocks the server.',
    check: ['Which script, and does it loop over many keys?', 'SCRIPT KILL stops a script that has not written yet.'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['maxclients'], name: 'max number of clients reached', messages: ['ERR max number of clients reached'],
    meaning: 'Every client slot (maxclients) is taken, so new connections are refused.',
    source: 'Redis, at connection time.',
    check: ['Which clients hold the connections (CLIENT LIST by name and address)?', 'Does a client leak connections or open one per request?'],
    runbooks: ['redis-connection-problems'],
  },
  {
    family: 'redis', codes: ['MaxRetriesPerRequestError'], name: 'max retries per request', messages: ['Reached the max retries per request limit'],
    meaning: 'ioredis gave up on a command after reconnecting several times: the server was unreachable for that long.',
    source: 'The ioredis client, not the server.',
    check: ['Is Redis reachable and up (restarts, LOADING, network)?', 'Is the client pointed at the right host and port?'],
    runbooks: ['redis-connection-problems'],
  },

  // --- Stripe ----------------------------------------------------------------------------------
  {
    family: 'stripe', codes: ['card_declined'], name: 'card declined', messages: ['Your card was declined'],
    meaning: 'The card issuer declined the charge; decline_code says why (insufficient_funds, do_not_honor...).',
    source: 'Stripe, relaying the issuer\'s answer.',
    check: ['Read the decline_code: most need the customer, not you.', 'Is the decline rate up across many cards (a Radar rule, an integration change)?'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['insufficient_funds'], name: 'insufficient funds', messages: ['Your card has insufficient funds'],
    meaning: 'The card does not have enough money or credit left.',
    source: 'The card issuer, through Stripe (a decline_code).',
    check: ['Nothing to fix on your side: ask the customer for another card, or retry a subscription later (Smart Retries).'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['expired_card'], name: 'expired card', messages: ['Your card has expired'],
    meaning: 'The card is past its expiry date.',
    source: 'Stripe or the issuer.',
    check: ['Ask the customer to update the card; card updater services refresh many saved cards automatically.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['incorrect_cvc', 'invalid_cvc'], name: 'incorrect CVC', messages: ["Your card's security code is incorrect"],
    meaning: 'The security code does not match the card.',
    source: 'The issuer, through Stripe.',
    check: ['A single customer mistyped; many at once suggests card testing (fraud) or a broken payment form.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['incorrect_number', 'invalid_number'], name: 'incorrect card number', messages: ['Your card number is incorrect'],
    meaning: 'The card number is not valid.',
    source: 'Stripe.',
    check: ['Usually a typo; a burst of them points at card testing.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['processing_error'], name: 'processing error', messages: ['An error occurred while processing your card'],
    meaning: 'Something failed while the card was processed, at Stripe or the network; the same card may succeed on a retry.',
    source: 'Stripe.',
    check: ['Retry once; if many payments fail this way, check status.stripe.com.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['authentication_required'], name: 'authentication required', messages: ['This payment requires authentication', 'requires_action'],
    meaning: 'The issuer wants the customer to authenticate (3D Secure / SCA) and the payment was attempted without it (off-session).',
    source: 'The issuer, through Stripe.',
    check: ['Bring the customer back on-session to confirm the PaymentIntent.', 'Are saved cards set up for off-session use (SetupIntent with usage off_session)?'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['do_not_honor'], name: 'do not honor', messages: ['do not honor'],
    meaning: 'The issuer declined without saying why.',
    source: 'The card issuer (a decline_code).',
    check: ['Only the customer\'s bank can say why: ask the customer to contact it or use another card.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['generic_decline'], name: 'generic decline', messages: ['generic decline'],
    meaning: 'The card was declined for an unspecified reason (sometimes Stripe Radar\'s own block).',
    source: 'The issuer or Stripe Radar.',
    check: ['Look at the payment in the Dashboard: a Radar rule shows there.', 'A rise across many customers: a Radar rule change or an integration problem.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['fraudulent'], name: 'suspected fraud', messages: ['fraudulent'],
    meaning: 'The issuer or Stripe suspects fraud.',
    source: 'The issuer or Stripe Radar.',
    check: ['Do not retry; review the payment in Radar.', 'Many at once: card testing; add rate limits or CAPTCHA to the payment form.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['lost_card', 'stolen_card', 'pickup_card'], name: 'lost, stolen or pick-up card', messages: ['lost card', 'stolen card', 'pickup card'],
    meaning: 'The card was reported lost or stolen; the issuer wants it withdrawn.',
    source: 'The issuer (a decline_code).',
    check: ['Do not retry and do not tell the customer the exact reason; ask for another payment method.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['card_velocity_exceeded'], name: 'card velocity exceeded', messages: ['card velocity exceeded'],
    meaning: 'The card went over its limit of amount or number of payments in a period.',
    source: 'The issuer.',
    check: ['The customer should contact their bank; retrying now fails the same way.'],
    runbooks: ['stripe-payment-failures'],
  },
  {
    family: 'stripe', codes: ['api_key_expired'], name: 'API key expired or invalid', messages: ['Invalid API Key provided', 'Expired API Key provided'],
    meaning: 'Stripe refused the secret key: expired after a roll, deleted, mistyped, or a test key against live data.',
    source: 'The Stripe API (401).',
    check: ['Was the key rolled, and does every service use the new one?', 'sk_live vs sk_test: the right mode for this environment?'],
    runbooks: ['stripe-api-key'],
  },
  {
    family: 'stripe', codes: ['StripeSignatureVerificationError'], name: 'webhook signature verification failed', messages: ['No signatures found matching the expected signature for payload', 'Timestamp outside the tolerance zone'],
    meaning: 'A webhook delivery could not be verified: the wrong signing secret, a body changed before verification (parsed JSON instead of the raw bytes), or a clock far off.',
    source: 'The Stripe library in your webhook handler.',
    check: ['Is the handler verifying the raw request body, not re-serialised JSON?', 'Is the signing secret the one of this endpoint (each endpoint has its own whsec_)?', 'Is the server clock right?'],
    runbooks: ['stripe-webhook-delivery', 'stripe-webhook-endpoint-disabled'],
  },

  // --- Kubernetes --------------------------------------------------------------------------------
  {
    family: 'k8s', codes: ['CrashLoopBackOff'], name: 'crash loop back-off', messages: ['Back-off restarting failed container'],
    meaning: 'The container keeps exiting soon after it starts, so the kubelet waits longer and longer before each restart.',
    source: 'The kubelet (a waiting reason of the container).',
    check: ['The previous instance\'s last log lines (kubectl logs --previous) and its exit code.', 'Did a deploy change the image, config or secrets it needs?', 'Is a liveness probe killing it before it is ready?'],
    runbooks: ['k8s-crashing-pods'],
  },
  {
    family: 'k8s', codes: ['ImagePullBackOff', 'ErrImagePull'], name: 'image pull failing', messages: ['Failed to pull image', 'pull access denied', 'manifest unknown', 'repository does not exist or may require'],
    meaning: 'The node cannot pull the container image: a wrong name or tag, a missing pull secret, or the registry refusing or unreachable. ErrImagePull is the failure; ImagePullBackOff is the waiting between retries.',
    source: 'The kubelet and the container runtime.',
    check: ['Does the image and tag exist (the describe output quotes the registry\'s answer)?', 'Does the pod have the imagePullSecret for a private registry?', 'Is the registry rate limiting (Docker Hub) or unreachable from the nodes?'],
    runbooks: ['k8s-pods-not-starting'],
  },
  {
    family: 'k8s', codes: ['InvalidImageName'], name: 'invalid image name', messages: ['InvalidImageName', 'couldn\'t parse image reference'],
    meaning: 'The image reference in the pod spec is not a valid image name.',
    source: 'The kubelet.',
    check: ['Look for a template that left a variable empty or put spaces or upper-case letters in the image name.'],
    runbooks: ['k8s-pods-not-starting'],
  },
  {
    family: 'k8s', codes: ['OOMKilled'], name: 'killed for memory', messages: ['OOMKilled', 'Memory cgroup out of memory'],
    meaning: 'The container used more memory than its limit and the kernel killed it (exit code 137).',
    source: 'The kernel\'s OOM killer, reported by the kubelet as the last state\'s reason.',
    check: ['Memory use against the limit before the kill: a leak (steady growth) or a spike (a big request)?', 'Is the limit right for the workload, and the runtime\'s heap (JVM, Node --max-old-space-size) below it?'],
    runbooks: ['k8s-crashing-pods', 'k8s-resource-usage'],
  },
  {
    family: 'k8s', codes: ['CreateContainerConfigError'], name: 'container config error', messages: ['secret not found', 'configmap not found', "couldn't find key"],
    meaning: 'The container cannot be created because something its spec refers to is missing: a Secret, a ConfigMap, or a key inside one.',
    source: 'The kubelet.',
    check: ['Does the Secret or ConfigMap exist in the pod\'s namespace, with the key named?', 'Was it renamed or not yet created by the deploy?'],
    runbooks: ['k8s-pods-not-starting'],
  },
  {
    family: 'k8s', codes: ['CreateContainerError', 'RunContainerError'], name: 'container could not be created or run', messages: ['failed to create containerd task', 'executable file not found in $PATH'],
    meaning: 'The runtime could not create or start the container: a bad command or entrypoint, a volume it cannot mount, a name clash.',
    source: 'The container runtime, through the kubelet.',
    check: ['The message in kubectl describe pod: the command, the mount, or the security context.'],
    runbooks: ['k8s-pods-not-starting'],
  },
  {
    family: 'k8s', codes: ['Evicted'], name: 'evicted', messages: ['The node was low on resource', 'The node had condition'],
    meaning: 'The kubelet removed the pod to protect its node, which ran low on memory, disk or process ids.',
    source: 'The kubelet (node-pressure eviction), or the API\'s eviction (drains).',
    check: ['Which node, and which pressure (MemoryPressure, DiskPressure)?', 'Do pods without requests (BestEffort) overcommit the node?'],
    runbooks: ['k8s-node-problems', 'k8s-resource-usage'],
  },
  {
    family: 'k8s', codes: ['FailedScheduling', 'Unschedulable'], name: 'cannot be scheduled', messages: ['0/3 nodes are available', 'nodes are available', 'Insufficient memory', 'Insufficient cpu', "didn't match Pod's node affinity", 'had untolerated taint'],
    meaning: 'The scheduler found no node for the pod: not enough free CPU or memory for its requests, or affinity, taints or volume zones rule every node out.',
    source: 'The scheduler (an event on the pod).',
    check: ['The event lists why each node was rejected.', 'Are the requests larger than any node can offer, or is the cluster full (is the autoscaler at its maximum)?'],
    runbooks: ['k8s-pods-not-starting', 'k8s-autoscaling-and-disruption'],
  },
  {
    family: 'k8s', codes: ['Pending'], name: 'pod pending', messages: ['pod is pending', 'pods stuck in pending'],
    meaning: 'The pod is accepted but not running: it is waiting to be scheduled, for a volume, or for its images.',
    source: 'The pod\'s phase.',
    check: ['kubectl describe pod: the events say whether it waits on scheduling, a volume claim or an image.'],
    runbooks: ['k8s-pods-not-starting', 'k8s-storage'],
  },
  {
    family: 'k8s', codes: ['FailedMount', 'FailedAttachVolume'], name: 'volume cannot be mounted', messages: ['Unable to attach or mount volumes', 'MountVolume.SetUp failed', 'Multi-Attach error'],
    meaning: 'The node could not attach or mount a volume of the pod: the claim is not bound, the disk is attached elsewhere, or a Secret volume is missing.',
    source: 'The kubelet and the CSI driver of the volume.',
    check: ['Is the claim Bound?', 'Is a ReadWriteOnce disk still attached to another node (Multi-Attach)?'],
    runbooks: ['k8s-storage'],
  },
  {
    family: 'k8s', codes: ['Unhealthy'], name: 'probe failed', messages: ['Readiness probe failed', 'Liveness probe failed', 'Startup probe failed'],
    meaning: 'A health probe of the container failed: readiness takes it out of the service, liveness restarts it.',
    source: 'The kubelet (an event on the pod).',
    check: ['Does the probe\'s path and port answer, fast enough for its timeout?', 'Does a slow start need a startupProbe rather than a longer liveness delay?', 'Is the app waiting on a dependency that is down?'],
    runbooks: ['k8s-rollout-problems', 'k8s-crashing-pods'],
  },
  {
    family: 'k8s', codes: ['ProgressDeadlineExceeded'], name: 'rollout stuck', messages: ['has timed out progressing'],
    meaning: 'A Deployment made no progress within progressDeadlineSeconds: its new pods do not become ready.',
    source: 'The deployment controller (a condition of the Deployment).',
    check: ['Why are the new pods not ready (crash loop, image pull, probes)?', 'Roll back if the new version is at fault.'],
    runbooks: ['k8s-rollout-problems'],
  },
  {
    family: 'k8s', codes: ['BackoffLimitExceeded', 'DeadlineExceeded'], name: 'job failed', messages: ['Job has reached the specified backoff limit', 'Job was active longer than specified deadline'],
    meaning: 'A Job gave up: its pods failed more times than backoffLimit, or it ran past activeDeadlineSeconds.',
    source: 'The job controller.',
    check: ['The logs of the failed pods (they are kept until the Job is deleted).', 'Did the input or a dependency change?'],
    runbooks: ['k8s-jobs'],
  },
  {
    family: 'k8s', codes: ['NodeNotReady'], name: 'node not ready', messages: ['node is not ready', 'Kubelet stopped posting node status'],
    meaning: 'A node stopped reporting healthy: the kubelet is down or cannot reach the API, or the node itself is failing.',
    source: 'The node controller.',
    check: ['The node\'s conditions and the kubelet\'s logs.', 'Pods on it are evicted after a few minutes: is there room elsewhere?'],
    runbooks: ['k8s-node-problems'],
  },
  {
    family: 'k8s', codes: ['Forbidden'], name: 'forbidden by RBAC', messages: ['cannot list resource', 'cannot get resource', 'is forbidden: User'],
    meaning: 'The Kubernetes API refused the caller: its service account or user lacks the RBAC permission.',
    source: 'The Kubernetes API server (403).',
    check: ['Which verb and resource the message names, and what the Role or ClusterRole grants (kubectl auth can-i).'],
    runbooks: ['k8s-api-access'],
  },

  // --- Container exit codes ---------------------------------------------------------------------
  {
    family: 'exit', codes: ['137'], name: 'SIGKILL (128 + 9)', messages: ['exited with code 137', 'exit code 137'],
    meaning: 'The process was killed with SIGKILL: most often the OOM killer (memory limit), or a stop that did not finish within the grace period.',
    source: 'The container runtime, from the process\'s end.',
    check: ['Is the last state\'s reason OOMKilled (memory) or was it being stopped (grace period too short)?'],
    runbooks: ['k8s-crashing-pods', 'k8s-resource-usage'],
  },
  {
    family: 'exit', codes: ['143'], name: 'SIGTERM (128 + 15)', messages: ['exited with code 143', 'exit code 143'],
    meaning: 'The process ended on SIGTERM: it was asked to stop (a rollout, a drain, a failed liveness probe) and did.',
    source: 'The container runtime.',
    check: ['Expected during rollouts; repeated restarts with 143 point at a failing liveness probe.'],
    runbooks: ['k8s-crashing-pods', 'k8s-rollout-problems'],
  },
  {
    family: 'exit', codes: ['1'], name: 'application error', messages: ['exited with code 1', 'exit code 1', 'exit status 1'],
    meaning: 'The program exited with a general error: an unhandled exception, bad configuration, a dependency it could not reach at start.',
    source: 'The program itself.',
    check: ['The last log lines of the previous instance say which error.'],
    runbooks: ['k8s-crashing-pods'],
  },
  {
    family: 'exit', codes: ['139'], name: 'SIGSEGV (128 + 11)', messages: ['exited with code 139', 'segmentation fault'],
    meaning: 'The process crashed on a segmentation fault: a native library or runtime bug, or an image built for another platform.',
    source: 'The kernel, through the container runtime.',
    check: ['Did the image or a native dependency change?', 'Is the image built for the node\'s architecture?'],
    runbooks: ['k8s-crashing-pods'],
  },
  {
    family: 'exit', codes: ['127', '126'], name: 'command not found or not executable', messages: ['exec format error', 'command not found'],
    meaning: 'The container\'s command could not be run: not found (127) or not executable (126, also a binary for another architecture).',
    source: 'The shell or runtime starting the container.',
    check: ['The image\'s entrypoint and the pod\'s command/args; the image platform.'],
    runbooks: ['k8s-crashing-pods', 'k8s-pods-not-starting'],
  },

  // --- SMTP / SendGrid --------------------------------------------------------------------------
  {
    family: 'smtp', codes: ['550', '5.1.1'], name: 'mailbox unavailable (hard bounce)', messages: ['550 5.1.1', 'user unknown', 'mailbox unavailable', 'recipient address rejected', 'The email account that you tried to reach does not exist'],
    meaning: 'The receiving server rejected the recipient for good: the address does not exist, or it refuses mail from you.',
    source: 'The recipient\'s mail server, reported by SendGrid as a bounce.',
    check: ['One address: remove it (SendGrid suppresses it).', 'Many at once: a bad import or sign-up abuse, or a block of your sending domain (the text says which).'],
    runbooks: ['email-deliverability'],
  },
  {
    family: 'smtp', codes: ['421', '450', '451', '4.7.0'], name: 'try again later (deferral)', messages: ['421 4.7.0', 'Try again later', 'temporarily deferred', 'temporarily rate limited', 'service not available'],
    meaning: 'The receiving server postponed the message: it is busy, or throttles you (volume, reputation). SendGrid retries for up to 72 hours.',
    source: 'The recipient\'s mail server, reported by SendGrid as a deferral.',
    check: ['Deferrals at one provider (Gmail, Outlook) often mean reputation or volume: slow down and check authentication (SPF, DKIM, DMARC).'],
    runbooks: ['email-deliverability'],
  },
  {
    family: 'smtp', codes: ['554', '5.7.1'], name: 'transaction failed (blocked)', messages: ['554 5.7.1', 'transaction failed', 'message rejected', 'blocked using', 'listed on a blocklist', 'spam'],
    meaning: 'The receiving server refused the message as unwanted: spam content, a blocklisted sending IP or domain, or failed authentication.',
    source: 'The recipient\'s mail server, reported by SendGrid as a block or bounce.',
    check: ['Does your domain pass SPF, DKIM and DMARC?', 'Is the sending IP or domain on a blocklist (the message often names it)?', 'Did content or volume change?'],
    runbooks: ['email-deliverability'],
  },
  {
    family: 'smtp', codes: ['552', '5.2.2'], name: 'mailbox full', messages: ['mailbox full', 'over quota', 'exceeded storage allocation'],
    meaning: 'The recipient\'s mailbox is full; some servers treat it as temporary, some as a bounce.',
    source: 'The recipient\'s mail server.',
    check: ['Nothing to fix on your side unless many recipients are affected.'],
    runbooks: ['email-deliverability'],
  },
  {
    family: 'smtp', codes: [], name: 'SendGrid credits exceeded or key refused', messages: ['Maximum credits exceeded', 'The provided authorization grant is invalid, expired, or revoked'],
    meaning: 'SendGrid refused to send: the plan\'s email credits are used up, or the API key is invalid or revoked.',
    source: 'The SendGrid API (401).',
    check: ['The plan\'s usage in the SendGrid console; the key\'s scopes and whether it was deleted.'],
    runbooks: ['email-deliverability'],
  },

  // --- OpenAI ---------------------------------------------------------------------------------
  {
    family: 'openai', codes: ['insufficient_quota'], name: 'quota used up', messages: ['You exceeded your current quota, please check your plan and billing details'],
    meaning: 'The account has no credit left or hit its budget: every request fails with 429 until billing changes. Retrying does not help.',
    source: 'The OpenAI API (HTTP 429 with code insufficient_quota).',
    check: ['Billing and usage limits of the organization or project in the OpenAI console.', 'Did spend spike (a loop, a new feature)?'],
    runbooks: ['ai-provider-quota-and-rate-limits'],
  },
  {
    family: 'openai', codes: ['rate_limit_exceeded'], name: 'rate limit reached', messages: ['Rate limit reached for', 'requests per min', 'tokens per min'],
    meaning: 'More requests or tokens per minute than the limit of the model for your tier; it clears by itself (the reset time is in the headers).',
    source: 'The OpenAI API (HTTP 429).',
    check: ['Which limit, requests (RPM) or tokens (TPM), and the reset time (x-ratelimit-* headers)?', 'Retry with backoff; spread batch work; ask for a higher tier.'],
    runbooks: ['ai-provider-quota-and-rate-limits'],
  },
  {
    family: 'openai', codes: ['context_length_exceeded'], name: 'context too long', messages: ["This model's maximum context length is", 'maximum context length'],
    meaning: 'The prompt plus the requested output is longer than the model accepts; the request is refused (400).',
    source: 'The OpenAI API.',
    check: ['What made the input long (a whole document, a growing chat history)? Cut or summarise it.', 'Large prompts also use up the tokens-per-minute limit sooner.'],
    runbooks: ['ai-provider-quota-and-rate-limits'],
  },
  {
    family: 'openai', codes: ['invalid_api_key'], name: 'invalid API key', messages: ['Incorrect API key provided'],
    meaning: 'The key is wrong, revoked, or not of this organization or project (401).',
    source: 'The OpenAI API.',
    check: ['Was the key rotated or deleted, and does every deployment use the current one?', 'Do the organization and project headers match the key?'],
    runbooks: ['ai-provider-keys'],
  },
  {
    family: 'openai', codes: ['model_not_found'], name: 'model not found', messages: ['does not exist or you do not have access to it'],
    meaning: 'The model named does not exist, was retired, or the key\'s project may not use it.',
    source: 'The OpenAI API (404).',
    check: ['The exact model name, and the project\'s model permissions.'],
    runbooks: ['ai-provider-keys'],
  },
  {
    family: 'openai', codes: ['server_error', 'overloaded', '529'], name: 'server error or overloaded', messages: ['The server had an error while processing your request', 'The engine is currently overloaded', 'overloaded_error'],
    meaning: 'The provider failed or is overloaded (500, 503, 529); it is not your request.',
    source: 'The OpenAI API or a compatible provider.',
    check: ['The provider\'s status page; retry with backoff; a fallback model or provider for critical paths.'],
    runbooks: ['ai-provider-outage'],
  },
];
