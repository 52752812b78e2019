// Which log lines are errors and how they group: levels (plain, logfmt, JSON, klog), the words
// error/exception/panic/fatal without their "none" forms, the variable parts masked, stack traces
// joined to the error before them, secrets masked before grouping and cutting; and the window word.
import { describe, expect, it } from 'vitest';
import { errorSeverity, LogPatternGroups, MAX_PATTERNS, normaliseLine, splitTimestamp } from '../../../src/probes/kubernetes/logs/log-patterns.ts';
import { parseSince } from '../../../src/probes/kubernetes/logs/parse-since.ts';
import { parseSubject, suggest } from '../../../src/probes/kubernetes/logs/resolve-log-subject.ts';

const SRC = { pod: 'web-1', container: 'app', previous: false };

describe('error lines', () => {
  it('finds levels in plain, logfmt, JSON and klog lines', () => {
    expect(errorSeverity('2026-12-02 02:00:01 ERROR payment failed')).toBe('error');
    expect(errorSeverity('[ERROR] could not connect')).toBe('error');
    expect(errorSeverity('time=2026-12-02T02:00:01Z level=error msg="db down"')).toBe('error');
    expect(errorSeverity('level=fatal msg="cannot start"')).toBe('fatal');
    expect(errorSeverity('{"level":"error","msg":"db down"}')).toBe('error');
    expect(errorSeverity('{"severity":"ERROR","message":"db down"}')).toBe('error');
    expect(errorSeverity('{"level":50,"msg":"pino error"}')).toBe('error');
    expect(errorSeverity('{"level":60,"msg":"pino fatal"}')).toBe('fatal');
    expect(errorSeverity('{"level":"CRITICAL","msg":"x"}')).toBe('fatal');
    expect(errorSeverity('E1202 02:17:05.123456       1 controller.go:12] sync failed')).toBe('error');
    expect(errorSeverity('F1202 02:17:05.123456       1 main.go:3] cannot listen')).toBe('fatal');
    expect(errorSeverity('panic: runtime error: index out of range [3] with length 3')).toBe('fatal');
    expect(errorSeverity('java.lang.IllegalStateException: pool closed')).toBe('error');
    expect(errorSeverity('TypeError: Cannot read properties of undefined')).toBe('error');
    expect(errorSeverity('2026/12/02 02:00:01 [error] 7#7: *1 connect() failed')).toBe('error');
  });

  it('a level that is not an error wins over the words; "none" forms are not errors', () => {
    expect(errorSeverity('INFO retrying after error')).toBeUndefined();
    expect(errorSeverity('{"level":"info","msg":"request error rate computed"}')).toBeUndefined();
    expect(errorSeverity('level=info msg="error budget ok"')).toBeUndefined();
    expect(errorSeverity('I1202 02:17:05.123456 1 x.go:1] error handler registered')).toBeUndefined();
    expect(errorSeverity('processed 120 items, 0 errors')).toBeUndefined();
    expect(errorSeverity('batch done errors=0 warnings=2')).toBeUndefined();
    expect(errorSeverity('health check: no error')).toBeUndefined();
    expect(errorSeverity('finished without errors')).toBeUndefined();
    expect(errorSeverity('request done error=nil')).toBeUndefined();
    expect(errorSeverity('request done err: <nil>')).toBeUndefined();
    expect(errorSeverity('errors: 0, warnings: 3')).toBeUndefined();
    expect(errorSeverity('panic: nil map write')).toBe('fatal');
    expect(errorSeverity('error: 0x7f invalid opcode')).toBe('error');
    expect(errorSeverity('registered ErrorHandler middleware')).toBeUndefined();
    expect(errorSeverity('error_count=0 ok')).toBeUndefined();
    expect(errorSeverity('GET /health 200 3ms')).toBeUndefined();
    // A line with a "none" form and a real one is an error.
    expect(errorSeverity('0 errors in batch 1, error in batch 2: timeout')).toBe('error');
  });
});

describe('patterns', () => {
  it('masks numbers with units, UUIDs, hex, timestamps and IPs so such lines are one pattern', () => {
    const a = normaliseLine('ERROR 2026-12-02T02:00:01.123Z request 7f9c1e2a-1b2c-4d5e-8f90-1234567890ab to 10.0.3.7:5432 failed after 1500ms (trace 0x7ffd3a9b, span 9f8e7d6c5b4a3f21) retry 3');
    const b = normaliseLine('ERROR 2026-12-02T02:09:59.9Z request 00000000-1111-4222-8333-444444444444 to 10.0.9.12:5432 failed after 20s (trace 0x1, span 0123abcd4567ef89) retry 12');
    expect(a).toBe(b);
    expect(a).toBe('ERROR <time> request <uuid> to <ip> failed after <n> (trace <hex>, span <hex>) retry <n>');
    expect(normaliseLine('ERROR dial [fe80::1ff:fe23:4567:890a]:443 refused at 12:00:01')).toBe('ERROR dial [<ip>]:<n> refused at <time>');
    // Plain numbers are numbers, not hex; words made of hex letters only stay.
    expect(normaliseLine('ERROR ts 1764640000')).toBe('ERROR ts <n>');
    expect(normaliseLine('ERROR decade facade')).toBe('ERROR decade facade');
  });

  it('groups, counts, keeps first/last seen and the latest example, and joins stack traces', () => {
    const g = new LogPatternGroups([]);
    g.add([
      '2026-12-02T02:00:00.000000000Z ERROR order 17 failed: timeout after 30s',
      '2026-12-02T02:00:01.000000000Z INFO all good',
      '2026-12-02T02:00:02.000000000Z java.lang.IllegalStateException: pool closed',
      '2026-12-02T02:00:02.000000000Z \tat com.shop.Pool.get(Pool.java:42)',
      '2026-12-02T02:00:02.000000000Z \tat com.shop.Api.handle(Api.java:7)',
      '2026-12-02T02:00:02.000000000Z Caused by: java.io.IOException: connection reset',
      '2026-12-02T02:00:05.000000000Z ERROR order 18 failed: timeout after 31s',
      '',
    ].join('\n'), SRC);
    g.add('2026-12-02T02:01:00.000000000Z ERROR order 99 failed: timeout after 2s\n', { pod: 'web-2', container: 'app', previous: true });
    const [first, second, ...rest] = g.patterns();
    expect(rest).toEqual([]);
    expect(g.lines).toBe(8);
    expect(g.errorLines).toBe(4);
    expect(first).toMatchObject({ pattern: 'ERROR order <n> failed: timeout after <n>', count: 3, severity: 'error', example: 'ERROR order 99 failed: timeout after 2s' });
    expect(first!.firstSeen).toBe(Date.parse('2026-12-02T02:00:00Z'));
    expect(first!.lastSeen).toBe(Date.parse('2026-12-02T02:01:00Z'));
    expect([...first!.pods].sort()).toEqual(['web-1', 'web-2']);
    expect(second!.count).toBe(1);
    expect(second!.example).toBe('java.lang.IllegalStateException: pool closed | at com.shop.Pool.get(Pool.java:42) | at com.shop.Api.handle(Api.java:7) | Caused by: java.io.IOException: connection reset');
  });

  it('a Go panic with its goroutine trace is one fatal pattern', () => {
    const g = new LogPatternGroups([]);
    g.add('panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\nexit status 2\n', SRC);
    const patterns = g.patterns();
    expect(patterns).toHaveLength(1);
    expect(patterns[0]).toMatchObject({ severity: 'fatal', count: 1 });
  });

  it('masks configured secrets and generic ones before grouping and before cutting', () => {
    const secret = 'hunter2-very-secret-value';
    const g = new LogPatternGroups([secret]);
    g.add(`ERROR login failed with ${secret} for postgres://app:s3cr3tpw@db:5432/app ${'x'.repeat(400)}\n`, SRC);
    g.add(`ERROR auth Bearer abcdefghijklmnopqrstuvwxyz0123456789\n`, SRC);
    const text = JSON.stringify(g.patterns().map((p) => ({ ...p, pods: [...p.pods], containers: [...p.containers] })));
    expect(text).not.toContain(secret);
    expect(text).not.toContain('s3cr3tpw');
    expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
    expect(g.patterns().every((p) => p.example.length <= 300)).toBe(true);
  });

  it('hostile lines of a megabyte are grouped at all: no mask backtracks over them again and again', () => {
    // Each of these ran for minutes when a mask's lookahead was unbounded ("a:a:a:…" from every word boundary).
    const g = new LogPatternGroups([]);
    const mb = 1024 * 1024;
    for (const body of ['a'.repeat(mb), '0.0.0.0.'.repeat(mb / 8), 'a:'.repeat(mb / 2), '"\'"'.repeat(mb / 3), '{"level":"'.repeat(mb / 10)]) {
      g.add(`ERROR ${body}\n`, SRC);
    }
    expect(g.errorLines).toBe(5);
    expect(g.patterns().every((p) => p.example.length <= 300 && p.pattern.length <= 240)).toBe(true);
  });

  it('drops control, C1 and invisible formatting characters before masking: one line, a secret split by them still masked', () => {
    const secret = 'hunter2-very-secret-value';
    const g = new LogPatternGroups([secret]);
    g.add(`ERROR bad login hunter2-\u200bvery-secret\u202e-value \u0085next \u001b[31mred\u001b[0m\n`, SRC);
    const [p] = g.patterns();
    expect(p!.example).toBe('ERROR bad login *** next red');
    expect(p!.pattern).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('tells at most MAX_PATTERNS patterns apart and counts the error lines of the rest', () => {
    const word = (i: number) => Array.from({ length: 4 }, (_, d) => String.fromCharCode(103 + (Math.floor(i / 20 ** d) % 20))).join('');
    const g = new LogPatternGroups([]);
    g.add(Array.from({ length: MAX_PATTERNS + 5 }, (_, i) => `ERROR failed in ${word(i)}`).join('\n'), SRC);
    expect(g.patterns()).toHaveLength(MAX_PATTERNS);
    expect(g.unpatterned).toBe(5);
    expect(g.errorLines).toBe(MAX_PATTERNS + 5);
  });

  it('reads the kubelet timestamp', () => {
    expect(splitTimestamp('2026-12-02T02:17:05.123456789Z hello')).toEqual({ at: Date.parse('2026-12-02T02:17:05.123Z'), text: 'hello' });
    expect(splitTimestamp('no time here')).toEqual({ text: 'no time here' });
  });
});

describe('words of /diag logs', () => {
  it('parses since and refuses bad or unbounded values naming the accepted forms', () => {
    expect(parseSince('15m')).toBe(900);
    expect(parseSince('2h')).toBe(7200);
    expect(parseSince('1h30m')).toBe(5400);
    expect(parseSince('90s')).toBe(90);
    expect(() => parseSince('yesterday')).toThrow('since "yesterday" is not a duration; accepted: a number with s, m or h, such as 90s, 15m, 2h or 1h30m, from 10s to 24h');
    expect(() => parseSince('25h')).toThrow('since 25h is out of bounds');
    expect(() => parseSince('0m')).toThrow('out of bounds');
  });

  it('parses the subject forms', () => {
    expect(parseSubject('web')).toEqual({ name: 'web' });
    expect(parseSubject('shop/web')).toEqual({ namespace: 'shop', name: 'web' });
    expect(parseSubject('deployment/web')).toEqual({ kind: 'deployment', name: 'web' });
    expect(parseSubject('sts/db')).toEqual({ kind: 'statefulset', name: 'db' });
    expect(parseSubject('shop/pod/web-1')).toEqual({ namespace: 'shop', kind: 'pod', name: 'web-1' });
    expect(() => parseSubject('a/b/c/d')).toThrow('does not name a workload or pod; accepted:');
    expect(() => parseSubject('Web_1')).toThrow('does not name a workload or pod');
  });

  it('suggests close names', () => {
    expect(suggest('chekout', ['checkout', 'cart', 'shop/checkout-worker', 'payments'])).toEqual(['checkout']);
    expect(suggest('checkout', ['cart', 'shop/checkout-worker', 'payments'])).toEqual(['shop/checkout-worker']);
    expect(suggest('zzz', ['checkout'])).toEqual([]);
  });
});
