// The generic secret patterns of maskSecrets, without any configured secret: the value of each
// kind of credential a log line, an HTTP answer or a config dump may show is masked and the name
// before it stays readable; ordinary text that only mentions passwords or tokens is left as it is;
// and a megabyte of text built to make a pattern backtrack is masked whole and returns.
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/security/mask-secrets.ts';
import { LogPatternGroups } from '../../src/probes/kubernetes/logs/log-patterns.ts';

describe('generic secret patterns', () => {
  it.each([
    ['JSON', '{"user":"bob","password":"hunter2x"}', '{"user":"bob","password":"***"}'],
    ['JSON with spaces and an escaped quote', '{"password" : "hun\\"ter2x", "ok": true}', '{"password" : "***", "ok": true}'],
    ['JSON quoted in a JSON string', '{"msg":"{\\"password\\":\\"hunter2x\\"}"}', '{"msg":"{\\"password\\":\\"***\\"}"}'],
    ['a Python dict', "config {'db_password': 'hunter2x', 'port': 5432}", "config {'db_password': '***', 'port': 5432}"],
    ['YAML-ish', 'password: "hunter 2x"', 'password: "***"'],
    ['YAML-ish, single quotes', "  client_secret: 'abc123def'", "  client_secret: '***'"],
    ['a quoted value cut at the end of the line', 'login {"password":"hunter2x', 'login {"password":"***'],
    ['logfmt, quoted', 'level=error password="hunter 2x" user=bob', 'level=error password="***" user=bob'],
    ['environment variables', 'env DB_PASSWORD=hunter2x POSTGRES_PASSWORD=s3cr3t JWT_SECRET=abcdef', 'env DB_PASSWORD=*** POSTGRES_PASSWORD=*** JWT_SECRET=***'],
    ['AWS secret key variable', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG', 'AWS_SECRET_ACCESS_KEY=***'],
    ['Authorization: Basic', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic ***'],
    ['Authorization: Basic as Go prints a header', 'map[Authorization:[Basic dXNlcjpwYXNz] Accept:[*/*]]', 'map[Authorization:[Basic ***] Accept:[*/*]]'],
    ['Authorization: Bearer', 'authorization: Bearer abc.def-ghi', 'authorization: Bearer ***'],
    ['Authorization: Token', '"Authorization": "Token 9f8e7d6c5b4a"', '"Authorization": "Token ***"'],
    ['X-Vault-Token header', 'X-Vault-Token: hvs.CAESIJ5', 'X-Vault-Token: ***'],
    ['query string token', 'GET /callback?state=2&token=abcd1234&page=3', 'GET /callback?state=2&token=***&page=3'],
    ['query string access_token', 'GET /api?access_token=ya29.a0Af&x=1', 'GET /api?access_token=***&x=1'],
    ['query string client_secret', 'POST /oauth?client_id=app&client_secret=s3cr3t', 'POST /oauth?client_id=app&client_secret=***'],
    ['query string api_key', 'GET /v1?api_key=k3y12345', 'GET /v1?api_key=***'],
    ['query string apikey', 'GET /v1?apikey=k3y12345&q=1', 'GET /v1?apikey=***&q=1'],
    ['a JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpM rejected', 'jwt *** rejected'],
    ['an unsigned JWT', 'token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0. accepted', 'token *** accepted'],
    ['an AWS access key id', 'using AKIAIOSFODNN7EXAMPLE in us-east-1', 'using AKIA*** in us-east-1'],
    ['an AWS temporary key id', 'key=ASIAIOSFODNN7EXAMPLE', 'key=ASIA***'],
    ['a GitHub personal token', 'push with ghp_16C7e42F292c6912E7710c838347Ae178B4a failed', 'push with ghp_*** failed'],
    ['a GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'github_pat_***'],
    ['a Slack bot token', 'xoxb-123456-789012-AbCdEf', 'xox*-***'],
    ['a Slack webhook', 'POST https://hooks.slack.com/services/T0001/B0002/XXXXyyyy', 'POST https://hooks.slack.com/services/***'],
    ['a Cookie header', 'Cookie: session=abc123def; theme=dark', 'Cookie: session=***'],
    ['a Set-Cookie header', 'Set-Cookie: session=abc123def; Path=/; HttpOnly', 'Set-Cookie: session=***; Path=/; HttpOnly'],
  ])('%s', (_kind, text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });

  it.each([
    'password reset failed for user bob',
    'password authentication failed for user "app"',
    'invalid password: too short',
    'token bucket empty: 5 tokens left, max_tokens=512 tokens=5',
    'password_reset=true passwordless=false',
    'the token: expired',
    'Basic authentication failed',
    'authorization: denied for user bob',
    'cookie: not set',
    'secret "db-creds" not found; secret=db-creds',
    'check k8s.pod.restarts on pod api-7d9f8c-x2x4q (3 restarts in 10m)',
    'trace 3f2b1c9e-1111-2222-3333-444455556666 took 1.25 s',
    'version 1.2.3-rc.4+build.5, image sha256:0123456789abcdef0123456789abcdef',
    'AKIA is a prefix; eyJust a word',
    'HTTP 502 from http://api:8080/v1/orders?page=2&limit=50',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(maskSecrets(text)).toBe(text);
  });

  it('masks secrets in the error lines of container logs before they are grouped and quoted', () => {
    const lines = [
      '2026-12-02T05:00:00Z level=error msg="login failed" body={"user":"bob","password":"hunter2x"}',
      '2026-12-02T05:00:01Z ERROR upstream call failed: Authorization: Basic dXNlcjpwYXNz',
      '2026-12-02T05:00:02Z ERROR GET /cb?access_token=ya29.a0Af&state=1 returned 401',
    ];
    const groups = new LogPatternGroups([]);
    groups.add(lines.join('\n'), { pod: 'api-1', container: 'api', previous: false });
    const patterns = groups.patterns();
    expect(patterns).toHaveLength(3);
    const text = JSON.stringify(patterns.map((p) => [p.pattern, p.example]));
    for (const secret of ['hunter2x', 'dXNlcjpwYXNz', 'ya29.a0Af']) expect(text).not.toContain(secret);
    expect(text).toContain('Basic ***');
  });
});

describe('hostile input of a megabyte', () => {
  // Each text repeats the start of a pattern, or opens a value and never closes it, so that a
  // pattern that backtracked would read the same characters again and again. Masked whole
  // (maxChars Infinity, as the CLI's JSON is), each returns, and a run of a pattern's start is
  // masked as the pattern says.
  const MB = 1_000_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  it.each([
    ['password=password=...', fill('password='), (out: string) => expect(out === 'password=***').toBe(true)],
    ['"password":"password":"... (every value empty: nothing to mask)', fill('"password":"'), (out: string) => expect(out === fill('"password":"')).toBe(true)],
    ['{\\"password\\":\\"...', fill('{\\"password\\":\\"'), (out: string) => expect(out.length).toBeGreaterThan(0)],
    ['"password": "x\\"x\\"... never closed', `"password": "${fill('x\\"')}`, (out: string) => expect(out.slice(0, 16)).toBe('"password": "***')],
    ["'token': 'token': '...", fill("'token': '"), (out: string) => expect(out.length).toBeGreaterThan(0)],
    ['Authorization: Basic Authorization: Basic ...', fill('Authorization: Basic '), (out: string) => expect(out.includes('Authorization: Basic ***')).toBe(true)],
    ['X-Vault-Token: X-Vault-Token: ...', fill('X-Vault-Token: '), (out: string) => expect(out.length).toBeGreaterThan(0)],
    ['eyJ-eyJ-eyJ-... (one run that is no JWT)', fill('eyJ-'), (out: string) => expect(out === fill('eyJ-')).toBe(true)],
    ['eyJaaaa.eyJaaaa.... (dots without end)', fill('eyJaaaa.'), (out: string) => expect(out.includes('eyJaaaa.eyJaaaa.eyJaaaa')).toBe(false)],
    ['AKIAAKIAAKIA...', fill('AKIA'), (out: string) => expect(out === fill('AKIA')).toBe(true)],
    ['ghp_ghp_ghp_...', fill('ghp_'), (out: string) => expect(out === fill('ghp_')).toBe(true)],
    ['github_pat_github_pat_...', fill('github_pat_'), (out: string) => expect(out === 'github_pat_***').toBe(true)],
    ['Cookie: aaaa... (no =)', `Cookie: ${'a'.repeat(MB)}`, (out: string) => expect(out === `Cookie: ${'a'.repeat(MB)}`).toBe(true)],
    ['Set-Cookie: a=Set-Cookie: a=...', fill('Set-Cookie: a='), (out: string) => expect(out.includes('Set-Cookie: a=***')).toBe(true)],
    ['a_a_password=... (name prefixes)', fill('a_a_password='), (out: string) => expect(out.includes('a_a_password=***')).toBe(true)],
    ['api_key=aaaa... (one long value)', `api_key=${'a'.repeat(MB)}`, (out: string) => expect(out === 'api_key=***').toBe(true)],
  ])('%s', (_name, text, check) => {
    check(maskSecrets(text, [], Infinity));
  });

  it('a megabyte masked with the default limit is cut with its note', () => {
    const out = maskSecrets(fill('password: "'));
    expect(out.length).toBeLessThan(MB / 5);
    expect(out).toMatch(/… \(\d+ more characters not shown\)$/);
  });
});
