// Secrets never reach the logs: not in messages, not in fields, not in error messages or causes.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { describeErrorLine } from '../src/answer-error.ts';
import { plainText } from '../src/message/message.ts';
import { UserError } from '../src/user-error.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

describe('logger', () => {
  it('writes JSON lines with secrets masked everywhere', () => {
    const { log, text } = capture();
    const cause = new Error('connect to postgres://bot:pg-secret-1@db/app failed');
    log.error({ err: new Error('while probing', { cause }), token: 'xoxb-123-456-abc', target: { url: 'postgres://bot:pg-secret-2@db/app' } }, 'probe of postgres://bot:pg-secret-3@db/app failed');
    log.info({ header: 'Bearer abc.def.ghi' }, 'request');
    const out = text();
    for (const secret of ['pg-secret-1', 'pg-secret-2', 'pg-secret-3', 'xoxb-123', 'abc.def.ghi']) expect(out).not.toContain(secret);
    const first = JSON.parse(out.split('\n')[0]!);
    expect(first).toMatchObject({ level: 'error', svc: 'chatops', msg: 'probe of postgres://bot:***@db/app failed' });
    expect(first.err.cause.message).toContain('postgres://bot:***@db/app');
  });

  it('answers a user error verbatim and anything else with a logged reference', () => {
    const { log, text } = capture();
    expect(plainText(describeErrorLine(new UserError('unknown target "x"'), log, {}))).toBe('unknown target "x"');
    const answer = plainText(describeErrorLine(new TypeError('boom at postgres://u:p4ss@h/d'), log, { command: '/diag' }));
    const ref = /^internal error, see logs \(ref ([0-9a-f]{8})\)$/.exec(answer)?.[1];
    expect(ref).toBeDefined();
    const logged = JSON.parse(text().trim());
    expect(logged).toMatchObject({ ref, command: '/diag', msg: 'internal error' });
    expect(text()).not.toContain('p4ss');
  });
});
