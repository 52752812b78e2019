// bodyMatch comes from the config: a catastrophic /regex/ (/^(a+)+$/ on 31 characters would run
// for minutes) is stopped at its time bound and reported as `unknown` naming the config key, and
// the probe (and the process) answers in bounded time. An invalid /regex/ is refused at load.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { httpKind } from '../../../src/probes/http/http-kind.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { BODY_MATCH_TIMEOUT_MS, bodyMatcher } from '../../../src/probes/http/checks/body.ts';
import { resolveThresholds } from '../../../src/probes/probe-definition.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { silentLogger } from '../../../src/logger.ts';
import { FakeHttpServer } from './fake-http-services.ts';
import { findingOf } from './probe-helpers.ts';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('bodyMatch with a time bound', () => {
  it('interrupts a catastrophic regex: the matcher says timeout instead of running for minutes', () => {
    const matcher = bodyMatcher('/^(a+)+$/');
    // 2^31 backtracking paths: without the bound this would not return within the test timeout.
    expect(matcher.test(`${'a'.repeat(31)}!`, 100)).toBe('timeout');
    // The same matcher keeps working on ordinary bodies afterwards.
    expect(matcher.test('aaaa')).toBe(true);
    expect(matcher.test('aab')).toBe(false);
  });

  it('a probe whose bodyMatch takes too long reports unknown naming targets.<name>.bodyMatch, never ok', async () => {
    const s = await FakeHttpServer.start({ '/health': { body: `${'a'.repeat(31)}!` } });
    servers.push(s);
    const target = {
      url: `${s.url}/health`,
      bodyMatch: '/^(a+)+$/',
      name: 'api-health',
      kind: 'http',
      timeoutMs: 3_000,
      thresholds: resolveThresholds(httpKind),
    };
    const findings = await runKindChecks(httpKind, target, { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('api-health') });
    const body = findingOf(findings, 'http.body');
    expect(body.status).toBe('unknown');
    expect(body.title).toBe(`Body not checked: targets.api-health.bodyMatch /^(a+)+$/ took longer than ${BODY_MATCH_TIMEOUT_MS} ms and was stopped`);
    expect(body.fix).toContain('nested or overlapping repetition');
    expect(findingOf(findings, 'http.status').status).toBe('ok');
  });

  it('an ordinary regex and a substring still match through the bound', async () => {
    expect(bodyMatcher('/"status":\\s*"(ok|up)"/').test('{"status": "up"}')).toBe(true);
    expect(bodyMatcher('/OK/i').test('all ok')).toBe(true);
    expect(bodyMatcher('"ok"').test('{"status":"ok"}')).toBe(true);
  });

  it('config load refuses an invalid /regex/ and names the key', () => {
    expect(() => parseConfig({ targets: { api: { kind: 'http', url: 'http://api:8080/health', bodyMatch: '/(unclosed/' } } }, 'chatops.yml', {}))
      .toThrow(/^chatops\.yml: targets\.api\.bodyMatch: not a valid \/regex\/: .*Unterminated group/);
  });
});
