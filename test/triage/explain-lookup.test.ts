// The error reference behind /diag explain: every entry is complete and points at runbooks that
// exist, every code and message the guides name is there, and lookups find what people paste
// (codes with or without their kind, whole log lines, parts of messages, typos) or say nothing
// matched with the closest entries.
import { describe, expect, it } from 'vitest';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { ERROR_REFERENCE } from '../../src/triage/explain/error-codes.ts';
import { findError, MAX_QUERY_CHARS, sameClassCodes, suggestErrors, type MatchKind } from '../../src/triage/explain/find-error.ts';

describe('the error reference', () => {
  it('names only runbooks that exist, and every entry says what it means, where it comes from and what to check', () => {
    const runbooks = loadRunbooks('runbooks', allCheckIds());
    const missing = ERROR_REFERENCE.flatMap((e) => e.runbooks.filter((id) => !runbooks.byId.has(id)).map((id) => `${e.codes[0] ?? e.name}: ${id}`));
    expect(missing).toEqual([]);
    for (const e of ERROR_REFERENCE) {
      expect(e.codes.length + e.messages.length, e.name).toBeGreaterThan(0);
      expect(e.runbooks.length, e.name).toBeGreaterThan(0);
      expect(e.check.length, e.name).toBeGreaterThan(0);
      expect(e.meaning, e.name).toMatch(/^\S.*[.)]$/);
      expect(e.source, e.name).toMatch(/^\S.*\.$/);
    }
  });

  it('has no code twice within one kind of code', () => {
    const seen = new Map<string, string>();
    for (const e of ERROR_REFERENCE) {
      for (const c of e.codes) {
        const key = `${e.family}:${c.toLowerCase()}`;
        expect(seen.get(key), `${key} in ${e.name} and ${seen.get(key)}`).toBeUndefined();
        seen.set(key, e.name);
      }
    }
  });

  it('covers the codes the guides and the on-call engineers name', () => {
    const codes = new Set(ERROR_REFERENCE.flatMap((e) => e.codes.map((c) => `${e.family}:${c}`)));
    const wanted = [
      ...['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'ENOSPC', 'EMFILE', 'EACCES'].map((c) => `errno:${c}`),
      ...['400', '401', '403', '404', '408', '429', '500', '502', '503', '504'].map((c) => `http:${c}`),
      ...['53300', '53400', '57014', '40P01', '40001', '53100', '53200', '57P01', '57P02', '28P01', '3D000', '42P01', '42P07', '23503', '23505', '08006', '08P01', '55P03', '25P02'].map((c) => `postgres:${c}`),
      ...['OOM', 'LOADING', 'READONLY', 'NOAUTH', 'WRONGPASS', 'MISCONF', 'CROSSSLOT', 'BUSY'].map((c) => `redis:${c}`),
      ...['card_declined', 'insufficient_funds', 'expired_card', 'incorrect_cvc', 'processing_error', 'authentication_required', 'do_not_honor', 'fraudulent', 'lost_card', 'stolen_card', 'generic_decline'].map((c) => `stripe:${c}`),
      ...['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'OOMKilled', 'CreateContainerConfigError', 'Evicted', 'FailedScheduling', 'Pending'].map((c) => `k8s:${c}`),
      ...['137', '143', '1'].map((c) => `exit:${c}`),
      ...['550', '421', '554'].map((c) => `smtp:${c}`),
      ...['insufficient_quota', 'rate_limit_exceeded', 'context_length_exceeded', 'invalid_api_key'].map((c) => `openai:${c}`),
    ];
    expect(wanted.filter((w) => !codes.has(w))).toEqual([]);
  });

  it('finds every entry by each of its codes, and by each of its messages', () => {
    for (const e of ERROR_REFERENCE) {
      for (const c of e.codes) expect(findError(`${e.family === 'http' ? 'HTTP ' : e.family === 'exit' ? 'exit code ' : e.family === 'smtp' ? 'smtp ' : ''}${c}`)[0]?.entry, c).toBe(e);
      for (const m of e.messages) expect(findError(m).map((x) => x.entry), m).toContain(e);
    }
  });
});

const first = (query: string): [string | undefined, MatchKind | undefined] => {
  const m = findError(query)[0];
  return [m?.entry.codes[0] ?? m?.entry.name, m?.how];
};

describe('findError', () => {
  it.each([
    // Codes, in any case, with the word that says which kind they are.
    ['ECONNREFUSED', 'ECONNREFUSED', 'code'],
    ['econnreset', 'ECONNRESET', 'code'],
    ['ENOSPC', 'ENOSPC', 'code'],
    ['53300', '53300', 'code'],
    ['SQLSTATE 53300', '53300', 'code'],
    ['sqlstate: 40p01', '40P01', 'code'],
    ['pg 57014', '57014', 'code'],
    ['HTTP 504', '504', 'code'],
    ['status 429', '429', 'code'],
    ['504 Gateway Timeout', '504', 'code'],
    ['HTTP/1.1 502 Bad Gateway', '502', 'code'],
    ['exit code 137', '137', 'code'],
    ['exited with code 143', '143', 'code'],
    ['exit status 1', '1', 'code'],
    ['smtp 550', '550', 'code'],
    ['card declined', 'card_declined', 'code'],
    ['Stripe: do_not_honor', 'do_not_honor', 'code'],
    ['CrashLoopBackOff', 'CrashLoopBackOff', 'code'],
    ['errimagepull', 'ImagePullBackOff', 'code'],
    ['oomkilled', 'OOMKilled', 'code'],
    ['insufficient_quota', 'insufficient_quota', 'code'],
    ['READONLY', 'READONLY', 'code'],
    // Codes inside a pasted line.
    ['Error: connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED', 'code'],
    ['ERROR:  deadlock detected (SQLSTATE 40P01)', '40P01', 'code'],
    ['pq: could not serialize access (40001)', '40001', 'code'],
    ['request failed with status code 503', '503', 'code'],
    ['Warning  BackOff  kubelet  Back-off pulling image, ImagePullBackOff', 'ImagePullBackOff', 'code'],
    ['LOADING Redis is loading the dataset in memory', 'LOADING', 'code'],
    ["OOM command not allowed when used memory > 'maxmemory'.", 'OOM', 'code'],
    ['ReplyError: NOAUTH Authentication required.', 'NOAUTH', 'code'],
    ['Last State: Terminated, Reason: OOMKilled, Exit Code: 137', 'OOMKilled', 'code'],
    // Messages and parts of them.
    ['deadlock detected', '40P01', 'message'],
    ['too many clients already', '53300', 'message'],
    ['FATAL:  sorry, too many clients already', '53300', 'message'],
    ['remaining connection slots are reserved for non-replication superuser connections', '53300', 'message'],
    ['ERROR: canceling statement due to statement timeout', '57014', 'message'],
    ['canceling statement due to lock timeout', '55P03', 'message'],
    ['current transaction is aborted, commands ignored until end of transaction block', '25P02', 'message'],
    ['duplicate key value violates unique constraint "users_email_key"', '23505', 'message'],
    ['relation "orders" does not exist', '42P01', 'message'],
    ['FATAL: database "shop" does not exist', '3D000', 'message'],
    ['password authentication failed for user "app"', '28P01', 'message'],
    ['terminating connection due to administrator command', '57P01', 'message'],
    ['server closed the connection unexpectedly', '08006', 'message'],
    ["MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk", 'MISCONF', 'code'],
    ['max number of clients reached', 'maxclients', 'message'],
    ['Error: certificate has expired', 'CERT_HAS_EXPIRED', 'message'],
    ['Error: unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'message'],
    ['x509: certificate signed by unknown authority', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'message'],
    ['code: ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'code'],
    ['Get "http://10.0.0.7:9100/metrics": context deadline exceeded', 'context deadline exceeded', 'message'],
    ['connect EHOSTUNREACH 10.0.0.9:443', 'EHOSTUNREACH', 'code'],
    ['No signatures found matching the expected signature for payload', 'StripeSignatureVerificationError', 'message'],
    ['Maximum credits exceeded', 'SendGrid credits exceeded or key refused', 'message'],
    ['Your card has insufficient funds.', 'insufficient_funds', 'message'],
    ['Back-off restarting failed container', 'CrashLoopBackOff', 'message'],
    ['0/3 nodes are available: 3 Insufficient memory', 'FailedScheduling', 'message'],
    ['Readiness probe failed: HTTP probe failed with statuscode: 500', 'Unhealthy', 'message'],
    ['socket hang up', 'ECONNRESET', 'message'],
    ['getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND', 'code'],
    ['too many open files', 'EMFILE', 'message'],
    ['You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'message'],
    ["This model's maximum context length is 128000 tokens", 'context_length_exceeded', 'message'],
    ['Incorrect API key provided: sk-proj-****abcd', 'invalid_api_key', 'message'],
    ['550 5.1.1 The email account that you tried to reach does not exist', '550', 'code'],
    ['421 4.7.0 Try again later, closing connection', '421', 'code'],
    // Typos.
    ['ECONREFUSED', 'ECONNREFUSED', 'close'],
    ['ETIMEOUT', 'ETIMEDOUT', 'close'],
    ['dedlock detected', '40P01', 'close'],
    ['deadlock detcted', '40P01', 'close'],
    ['to many clients alredy', '53300', 'close'],
    ['crashloopbackof', 'CrashLoopBackOff', 'close'],
    ['ImagePulBackOff', 'ImagePullBackOff', 'close'],
    ['insufficent funds', 'insufficient_funds', 'close'],
    ['gatway timeout', '504', 'close'],
    ['OOMKiled', 'OOMKilled', 'close'],
    ['canceling statment due to statment timeout', '57014', 'close'],
    ['rate limt exceeded', '429', 'close'],
  ])('%s -> %s (%s)', (query, code, how) => {
    expect(first(query)).toEqual([code, how]);
  });

  it('a line with two messages in it shows both, the longer match first', () => {
    expect(findError('upstream timed out (110: Connection timed out) while reading response header').map((m) => m.entry.codes[0])).toEqual(['ETIMEDOUT', '504']);
    expect(findError('rate limt exceeded').map((m) => m.entry.codes[0])).toEqual(['429', 'rate_limit_exceeded']);
  });

  it('a code two kinds share shows both: "rate limit exceeded" is OpenAI\'s code and HTTP 429\'s words', () => {
    expect(findError('rate limit exceeded').map((m) => m.entry.codes[0])).toEqual(['rate_limit_exceeded', '429']);
  });

  it('the kind named first narrows the code: smtp 421, not anything else', () => {
    expect(findError('smtp 421').map((m) => m.entry.family)).toEqual(['smtp']);
    expect(findError('HTTP 429').map((m) => m.entry.family)).toEqual(['http']);
  });

  it('a lower-case English word is not a Redis code inside a sentence, but the code alone is', () => {
    expect(findError('the page is busy loading').map((m) => m.entry.family)).not.toContain('redis');
    expect(first('busy')).toEqual(['BUSY', 'code']);
  });

  it('nothing close gives nothing, and suggestions are the nearest entries', () => {
    expect(findError('banana split')).toEqual([]);
    expect(findError('   ')).toEqual([]);
    expect(suggestErrors('banana split')).toEqual([]);
    expect(findError('connection pool problem')).toEqual([]);
    expect(suggestErrors('connection pool problem').length).toBeGreaterThan(0);
    expect(suggestErrors('ECONNRFSD').map((e) => e.codes[0])).toContain('ECONNREFUSED');
  });
});

const all = (query: string) => findError(query).map((m) => `${m.entry.family}:${m.entry.codes[0] ?? m.entry.name}`);

describe('findError: a number is matched whole', () => {
  it.each([
    ['exit code 137', ['exit:137']],
    ['command terminated with exit code 137', ['exit:137']],
    ['Process exited with code 137', ['exit:137']],
    ['Last State: Terminated, Reason: OOMKilled, Exit Code: 137', ['k8s:OOMKilled', 'exit:137']],
    ['exit code 1', ['exit:1']],
    ['Error: Process completed with exit code 1.', ['exit:1']],
  ])('%s -> %j', (query, expected) => {
    expect(all(query)).toEqual(expected);
  });
});

describe('findError: numbers and SQLSTATEs are never typos of one another', () => {
  it.each([
    ['23503', '23503', 'foreign_key_violation'],
    ['SQLSTATE 53400', '53400', 'configuration_limit_exceeded'],
    ['42P07', '42P07', 'duplicate_table'],
    ['57P02', '57P02', 'crash_shutdown'],
    ['08P01', '08P01', 'protocol_violation'],
  ])('%s is its own entry, %s %s', (query, code, name) => {
    const m = findError(query);
    expect(m.map((x) => [x.entry.codes[0], x.entry.name, x.how])).toEqual([[code, name, 'code']]);
  });

  it.each(['23502', '53401', 'SQLSTATE 42P99', '57p05', 'HTTP 418', 'status 599', 'exit code 2', 'smtp 5.1.2', '1371'])('%s is not in the reference: no match and no "closest" code', (query) => {
    expect(findError(query)).toEqual([]);
    expect(suggestErrors(query)).toEqual([]);
  });

  it('a missing SQLSTATE names the codes of its class the reference has, and nothing for other codes', () => {
    const class23 = sameClassCodes('SQLSTATE 23514');
    expect(class23?.sqlClass).toBe('23');
    expect(class23?.entries.map((e) => e.codes[0]).sort()).toEqual(['23503', '23505']);
    expect(sameClassCodes('HY000')?.entries).toEqual([]);
    expect(sameClassCodes('HTTP 418')).toBeUndefined();
    expect(sameClassCodes('ECONNRFSD')).toBeUndefined();
  });

  it('words of a message still forgive typos, codes with letters too', () => {
    expect(first('violates foriegn key constraint')).toEqual(['23503', 'close']);
    expect(first('ECONREFUSED')).toEqual(['ECONNREFUSED', 'close']);
  });
});

describe('findError: a long paste', () => {
  /** `n` characters of log lines that name no error. */
  const filler = (n: number) => {
    const lines: string[] = [];
    for (let i = 0, size = 0; size < n; i++) {
      lines.push(`2026-12-02T05:00:${String(i % 60).padStart(2, '0')} worker ${i} processed batch ok`);
      size += lines.at(-1)!.length + 1;
    }
    return lines.join('\n').slice(0, n);
  };

  it('100 KB of log is searched by its start and end: the code in its first line is found', () => {
    const paste = `ERROR:  deadlock detected (SQLSTATE 40P01)\n${filler(100_000)}`;
    expect(paste.length).toBeGreaterThan(100_000);
    expect(all(paste)[0]).toBe('postgres:40P01');
  });

  it('the code in its last line is found too, and what lies between is not searched', () => {
    expect(all(`${filler(100_000)}\nconnect ECONNREFUSED 10.0.0.5:5432`)).toContain('errno:ECONNREFUSED');
    expect(all(`${filler(MAX_QUERY_CHARS)}\nsorry, too many clients already\n${filler(5_000)}`)).not.toContain('postgres:53300');
  });

  it('100 KB with no code in it finds nothing and suggests without hanging', () => {
    expect(findError(filler(100_000))).toEqual([]);
    expect(Array.isArray(suggestErrors(filler(100_000)))).toBe(true);
  });
});

describe('findError: what the codes are', () => {
  it('a crash of another server process is 57P02 crash_shutdown, not a connection failure', () => {
    expect(all('FATAL:  terminating connection because of crash of another server process')).toEqual(['postgres:57P02']);
    expect(all('server closed the connection unexpectedly')[0]).toBe('postgres:08006');
  });

  it('08P01 is a protocol violation, apart from the connection failures', () => {
    expect(first('08P01')).toEqual(['08P01', 'code']);
    expect(findError('08P01')[0]?.entry.name).toBe('protocol_violation');
    expect(first('bind message supplies 1 parameters, but prepared statement "" requires 2')).toEqual(['08P01', 'message']);
  });

  it('the wraparound error in the words of PostgreSQL 16 and of earlier versions', () => {
    expect(first('ERROR:  database is not accepting commands that assign new transaction IDs to avoid wraparound data loss in database "shop"')).toEqual(['54000', 'message']);
    expect(first('database is not accepting commands to avoid wraparound data loss in database "shop"')).toEqual(['54000', 'message']);
  });

  it('exec format error is the kernel refusing a binary (another architecture), not a shell\'s exit 126 or 127', () => {
    expect(all('exec /usr/local/bin/app: exec format error')).toEqual(['errno:ENOEXEC']);
    expect(all('exit code 127')).toEqual(['exit:127']);
  });
});

describe('findError: common pastes pick the right entry', () => {
  it.each([
    ['GET /api returned 403 Forbidden', ['http:403']],
    ['Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ops:bot" cannot list resource "pods"', ['k8s:Forbidden']],
    ['the payment is pending since yesterday', []],
    ['pod web-7d9 is Pending', ['k8s:Pending']],
    ['Pending', ['k8s:Pending']],
    ['this charge looks fraudulent', ['stripe:fraudulent']],
    ['the result looks fraudulent', []],
    ['OOM', ['redis:OOM', 'k8s:OOMKilled']],
    ['oom kill', ['k8s:OOMKilled', 'redis:OOM']],
    ['code 500', ['http:500']],
    ['we see 504s from the gateway', ['http:504']],
    ['Killed: 9', ['exit:137']],
    ['signal 9', ['exit:137']],
    ['segfault', ['exit:139']],
    ['card_declined insufficient_funds', ['stripe:card_declined', 'stripe:insufficient_funds']],
  ])('%s -> %j', (query, expected) => {
    expect(all(query)).toEqual(expected);
  });
});
