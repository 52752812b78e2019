// maskSecrets: the generic patterns and every configured secret in each of its forms are masked;
// masking is linear in the length of the text whatever the text (adversarial inputs that made the
// old URL pattern quadratic included), bounded in length, and always whole before any cut.
import { describe, expect, it } from 'vitest';
import { MAX_MASKED_CHARS, maskSecrets } from '../../src/security/mask-secrets.ts';
import { snippet } from '../../src/probes/http/probe-support.ts';
import { cutText, toDisplayReport } from '../../src/render/display-report.ts';
import { scrubFindings } from '../../src/probes/scrub-findings.ts';

const KEY = 'k3y-9f8e7d6c5b4a39281706';
const SECRETS = [KEY, 'pa ss/wörd+1'];

describe('maskSecrets', () => {
  it.each([
    ['as written', KEY],
    ['URL-encoded', encodeURIComponent('pa ss/wörd+1')],
    ['form-encoded', new URLSearchParams({ s: 'pa ss/wörd+1' }).toString().slice(2)],
    ['base64', Buffer.from(KEY).toString('base64')],
    ['base64 without padding', Buffer.from(KEY).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from('pa ss/wörd+1').toString('base64url')],
  ])('masks a configured secret %s', (_form, shown) => {
    const out = maskSecrets(`the server said: ${shown}; retry later`, SECRETS);
    expect(out).toBe('the server said: ***; retry later');
  });

  it('masks the generic patterns without configured secrets', () => {
    const text = [
      'postgres://monitor:s3cr3t@db:5432/app',
      'weird+scheme.v2://u:p4ss@h',
      'host=db password=hunter22 user=x',
      'xoxb-1234-5678-abcdef',
      'Authorization: Bearer abc.def.ghi',
      '{"x-api-key": "AKIA1234567"}',
      'sk_live_51Habc123',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----',
    ].join('\n');
    const out = maskSecrets(text);
    for (const secret of ['s3cr3t', 'p4ss', 'hunter22', '1234-5678', 'abc.def', 'AKIA1234567', '51Habc', 'MIIEow']) expect(out).not.toContain(secret);
    expect(out).toContain('postgres://monitor:***@db:5432/app');
    expect(out).toContain('Bearer ***');
    expect(out).toContain('-----END RSA PRIVATE KEY-----');
  });

  it('keeps the scheme word of a configured "Bearer <token>" header readable', () => {
    expect(maskSecrets('auth header: Bearer tok-123456 rejected', ['Bearer tok-123456'])).toBe('auth header: Bearer *** rejected');
  });

  it('masks overlapping secrets as one span', () => {
    expect(maskSecrets('xx abcdefgh yy', ['abcdef', 'defgh'])).toBe('xx *** yy');
  });

  it('masks a long text up to MAX_MASKED_CHARS, then cuts it with a note; a secret across the cut is masked whole', () => {
    const before = 'a'.repeat(MAX_MASKED_CHARS - 5);
    const text = `${before}${KEY} and more text after it`;
    const out = maskSecrets(text, SECRETS);
    expect(out.startsWith(`${before}***… (`)).toBe(true);
    expect(out).toMatch(/… \(\d+ more characters not shown\)$/);
    for (let n = 4; n <= KEY.length; n++) expect(out).not.toContain(KEY.slice(0, n));
  });

  it('a URL password across the cut is masked whole', () => {
    const text = `${'x '.repeat((MAX_MASKED_CHARS - 20) / 2)}postgres://u:verysecretpassword@db/app`;
    const out = maskSecrets(text);
    expect(out).not.toContain('verysec');
  });

  it('masks everything with maxChars Infinity', () => {
    const text = `${'b'.repeat(MAX_MASKED_CHARS * 2)} ${KEY}`;
    expect(maskSecrets(text, SECRETS, Infinity)).toBe(`${'b'.repeat(MAX_MASKED_CHARS * 2)} ***`);
  });
});

describe('mask first, then cut', () => {
  // The cut falls inside the key at every position from its first to its last character.
  const positions = Array.from({ length: KEY.length + 1 }, (_, i) => i);

  it.each(positions)('a body snippet cut with %i characters of the key before the cut never shows part of it', (inKey) => {
    const body = `${'e'.repeat(200 - inKey)}${KEY}${'z'.repeat(50)}`;
    const shown = snippet(body, 200, SECRETS);
    for (let n = 4; n <= KEY.length; n++) expect(shown).not.toContain(KEY.slice(0, n));
    // Cut first and masked after, as before, part of the key would have shown: the test can fail.
    if (inKey >= 4 && inKey < KEY.length) expect(maskSecrets(snippet(body, 200), SECRETS)).toContain(KEY.slice(0, inKey));
  });

  it.each(positions)('a finding rendered for Slack or the terminal, cut at a detail line, with %i characters of the key before the cut', (inKey) => {
    const detail = `${'d'.repeat(150 - inKey)}${KEY}${'z'.repeat(50)}`;
    const report = { target: 't', kind: 'http', status: 'crit' as const, startedAt: new Date(0).toISOString(), durationMs: 1, findings: [{ check: 'http.status', status: 'crit' as const, title: `x ${detail}`, detail }] };
    const display = toDisplayReport(report, { secrets: SECRETS });
    const text = JSON.stringify(display);
    for (let n = 4; n <= KEY.length; n++) expect(text).not.toContain(KEY.slice(0, n));
    // Without the secrets the cut alone would have left part of the key: the test can fail.
    const unmasked = JSON.stringify(toDisplayReport(report));
    if (inKey >= 4 && inKey < KEY.length) expect(unmasked).toContain(KEY.slice(0, 4));
  });

  it("scrubFindings masks a finding's fix and its effects as well as its title and detail", () => {
    const [f] = scrubFindings([{ check: 'x', status: 'crit', rootCause: true, title: 't', fix: `rotate ${KEY} now`, effects: [`waits on ${KEY}`, 'plain'] }], SECRETS);
    expect(JSON.stringify(f)).not.toContain(KEY);
    expect(f!.effects).toHaveLength(2);
    expect(f!.effects![1]).toBe('plain');
    expect(f!.rootCause).toBe(true);
  });

  it("scrubFindings masks a remedy's label and string parameters, and leaves numbers and other text alone", () => {
    const [f] = scrubFindings([{ check: 'x', status: 'crit', title: 't', remedies: [{ action: 'k8s.rollback', label: `Roll back ${KEY}`, params: { namespace: 'shop', change: `img:${KEY} → img:1`, replicas: 3 } }] }], SECRETS);
    expect(JSON.stringify(f)).not.toContain(KEY);
    expect(f!.remedies![0]!.params).toMatchObject({ namespace: 'shop', replicas: 3 });
    expect(f!.remedies![0]!.params.change).toMatch(/^img:.+ → img:1$/);
  });

  it('scrubFindings then cutText: the cut sees only the mask', () => {
    const [f] = scrubFindings([{ check: 'x', status: 'crit', title: `${'t'.repeat(95)}${KEY}` }], SECRETS);
    expect(cutText(f!.title, 100)).not.toContain(KEY.slice(0, 4));
  });
});

describe('masking takes linear time', () => {
  // The old URL pattern took 3.5 s on 80,000 characters of "a.a.a...". Rather than a wall-clock
  // budget, the test compares the same amount of text masked as 8 pieces of 10,000 characters and
  // as 1 piece of 80,000: linear masking takes about as long either way, quadratic masking 8 times
  // as long for the long piece. Each side is the best of several runs.
  const families: Array<[string, (n: number) => string]> = [
    ['a.a.a...', (n) => 'a.'.repeat(n / 2)],
    ['xxxx...', (n) => 'x'.repeat(n)],
    ['a://a://...', (n) => 'a://'.repeat(n / 4)],
    ['a://b:c:d:...', (n) => `a://${'b:'.repeat(n / 2 - 2)}`],
    ['Bearer     ...', (n) => ('Bearer' + ' '.repeat(10)).repeat(n / 16)],
    ['password=password=...', (n) => 'password='.repeat(Math.floor(n / 9))],
    ['api_key=api_key=...', (n) => 'api_key='.repeat(n / 8)],
    ['xoxb-xoxb-...', (n) => 'xoxb-'.repeat(n / 5)],
    ['-----BEGIN PRIVATE KEY-----...', (n) => '-----BEGIN PRIVATE KEY-----'.repeat(Math.floor(n / 27))],
    ['aaaa...(secret prefix)', (n) => 'k3y-9f8e7d6c5b4a3928170'.repeat(Math.floor(n / 23))],
    ['"password":"password":...', (n) => '"password":"'.repeat(Math.floor(n / 12))],
    ['"password": "x\\"x\\"... (never closed)', (n) => `"password": "${'x\\"'.repeat(Math.floor(n / 3) - 5)}`],
    ['Authorization: Basic Authorization: Basic ...', (n) => 'Authorization: Basic '.repeat(Math.floor(n / 21))],
    ['eyJ-eyJ-...', (n) => 'eyJ-'.repeat(n / 4)],
    ['eyJaaaa.eyJaaaa....', (n) => 'eyJaaaa.'.repeat(n / 8)],
    ['Set-Cookie: a=Set-Cookie: a=...', (n) => 'Set-Cookie: a='.repeat(Math.floor(n / 14))],
  ];

  it.each(families)('%s: one 80,000-character text costs about what eight 10,000-character texts cost', (_name, make) => {
    const short = make(10_000);
    const long = make(80_000);
    const best = (run: () => void) => {
      let min = Infinity;
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        run();
        min = Math.min(min, performance.now() - t);
      }
      return min;
    };
    const shortTime = best(() => {
      for (let i = 0; i < 8; i++) maskSecrets(short, SECRETS);
    });
    const longTime = best(() => maskSecrets(long, SECRETS));
    // Linear is about 1 (0.7 measured); the old quadratic pattern gave 4.3 on a.a.a... (5.0 s
    // against 1.2 s). 0.5 ms of slack absorbs the noise of sub-millisecond times.
    expect(longTime).toBeLessThan(2.5 * shortTime + 0.5);
  });
});
