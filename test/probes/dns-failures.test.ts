// A name that does not exist is the bot's configuration; a resolver that did not answer may be DNS
// itself down, which is an outage and must stay one (never hidden as "bot configuration").
import { describe, expect, it } from 'vitest';
import { classifyRequestError } from '../../src/probes/http/classify-error.ts';
import { unresolvedHost } from '../../src/probes/http/unresolved-host.ts';
import { classifyConnectError as classifyPostgres } from '../../src/probes/postgres/classify-error.ts';
import { classifyConnectError as classifyRedis } from '../../src/probes/redis/classify-error.ts';

const systemError = (code: string) => Object.assign(new Error(`getaddrinfo ${code} db.internal`), { code, syscall: 'getaddrinfo', hostname: 'db.internal' });
const fetchError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: systemError(code) });

describe('name resolution failures', () => {
  it.each(['ENOTFOUND', 'EAI_NONAME'])('%s: a name that does not exist is configuration', (code) => {
    expect(classifyPostgres(systemError(code), 1000).config).toBe(true);
    expect(classifyRedis(systemError(code), 1000).kind).toBe('DNS');
    const failure = classifyRequestError(fetchError(code), 1000, false);
    expect(unresolvedHost(failure, 'http://db.internal/health', 'targets.web.url')?.extra.config).toBe(true);
  });

  it('EAI_AGAIN: a resolver that did not answer is an outage, not configuration', () => {
    expect(classifyPostgres(systemError('EAI_AGAIN'), 1000).config).toBeFalsy();
    expect(classifyRedis(systemError('EAI_AGAIN'), 1000).kind).toBe('DNS unavailable');
    const failure = classifyRequestError(fetchError('EAI_AGAIN'), 1000, false);
    expect(failure.kind).toBe('DNS');
    expect(unresolvedHost(failure, 'http://db.internal/health', 'targets.web.url')).toBeUndefined();
  });
});
