// Query text shown in Slack must not carry the data inside it (emails, tokens, amounts), so every
// literal becomes `?` before a statement leaves the probe.

const DEFAULT_MAX_LENGTH = 120;

/**
 * Replaces string literals ('...', E'...', $$...$$, $tag$...$tag$) and numbers by `?`, drops
 * comments, collapses whitespace and shortens the result to `maxLength` characters.
 * Quoted identifiers ("Table1") and placeholders ($1) are kept.
 */
export function maskQuery(sql: string, maxLength = DEFAULT_MAX_LENGTH): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];

    // -- line comment
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
      out += ' ';
      continue;
    }
    // /* block comment */ (nesting is legal in PostgreSQL)
    if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      out += ' ';
      continue;
    }
    // 'string', with '' as the escaped quote; E'...' also allows backslash escapes.
    if (ch === "'") {
      const escapes = /(^|[^\w$])[eE]$/.test(out);
      if (/(^|[^\w$])(?:[eEbBxXnN]|[uU]&)$/.test(out)) out = out.replace(/(?:[eEbBxXnN]|[uU]&)$/, '');
      i = skipQuoted(sql, i, escapes);
      out += '?';
      continue;
    }
    // "quoted identifier": keep verbatim.
    if (ch === '"') {
      const end = skipQuotedIdentifier(sql, i);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    // $tag$ ... $tag$ dollar quoting, or a $1 placeholder.
    if (ch === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i));
      if (tag && !/[\w$]$/.test(out)) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        out += '?';
        continue;
      }
      const placeholder = /^\$\d+/.exec(sql.slice(i));
      if (placeholder) {
        out += placeholder[0];
        i += placeholder[0].length;
        continue;
      }
    }
    // A number that is not part of an identifier (t1, col_2) or a placeholder.
    if (/[0-9]/.test(ch) || (ch === '.' && next !== undefined && /[0-9]/.test(next))) {
      if (!/[\w$]$/.test(out)) {
        const num = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)/.exec(sql.slice(i));
        if (num && num[0].length > 0) {
          out += '?';
          i += num[0].length;
          continue;
        }
      }
    }
    out += ch;
    i++;
  }
  return shorten(out.replace(/\s+/g, ' ').trim(), maxLength);
}

function skipQuoted(sql: string, start: number, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      if (sql[i + 1] === "'") {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipQuotedIdentifier(sql: string, start: number): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === '"') {
      if (sql[i + 1] === '"') {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

export function shorten(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  return text.slice(0, Math.max(0, maxLength - 1)).trimEnd() + '…';
}
