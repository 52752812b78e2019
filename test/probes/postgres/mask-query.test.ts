import { describe, expect, it } from 'vitest';
import { maskQuery } from '../../../src/probes/postgres/mask-query.ts';

describe('maskQuery', () => {
  it('replaces string literals and numbers by ?', () => {
    expect(maskQuery("SELECT * FROM users WHERE email = 'bob@example.com' AND age > 42 AND score < 3.5")).toBe(
      'SELECT * FROM users WHERE email = ? AND age > ? AND score < ?',
    );
  });

  it("handles doubled quotes, E'' escapes and prefixed literals", () => {
    expect(maskQuery("UPDATE t SET note = 'it''s secret' WHERE id = 7")).toBe('UPDATE t SET note = ? WHERE id = ?');
    expect(maskQuery("SELECT E'a\\'b', X'ff', B'0101', N'x'")).toBe('SELECT ?, ?, ?, ?');
  });

  it('masks dollar-quoted strings', () => {
    expect(maskQuery('SELECT $$ secret $$, $body$ also secret $body$')).toBe('SELECT ?, ?');
  });

  it('keeps identifiers with digits, quoted identifiers and placeholders', () => {
    expect(maskQuery('SELECT t1.col_2, "Table 9".x FROM t1 WHERE a = $1 AND b = $12')).toBe(
      'SELECT t1.col_2, "Table 9".x FROM t1 WHERE a = $1 AND b = $12',
    );
  });

  it('masks negative, exponent and hex numbers', () => {
    expect(maskQuery('SELECT -5, 1e10, 2.5E-3, .5, 0x1F')).toBe('SELECT -?, ?, ?, ?, ?');
  });

  it('drops comments, which may carry data too', () => {
    expect(maskQuery("/* user 123 */ SELECT 1 -- token 'abc'\nFROM t")).toBe('SELECT ? FROM t');
  });

  it('collapses whitespace and shortens to 120 characters by default', () => {
    const long = `SELECT ${Array.from({ length: 60 }, (_, i) => `col${i}`).join(',\n   ')} FROM wide`;
    const out = maskQuery(long);
    expect(out.length).toBeLessThanOrEqual(120);
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toContain('\n');
    expect(maskQuery('select   1\n\t from t', 10)).toBe('select ?…');
  });

  it('does not leak an unterminated literal', () => {
    expect(maskQuery("SELECT 'password123")).toBe('SELECT ?');
  });
});
