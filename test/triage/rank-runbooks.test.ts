// The runbook search on small runbooks written here: order, typos, jargon, limits and the meaning
// of the score. The real runbooks and a table of phrasings are in symptom-phrasings.test.ts.
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../../src/runbooks/runbook.ts';
import { rankRunbooks } from '../../src/triage/rank-runbooks.ts';

function runbook(id: string, title: string, symptoms: string[], extra: Partial<Runbook> = {}): Runbook {
  return {
    id,
    title,
    summary: extra.summary ?? title,
    severityHint: 'warn',
    symptoms,
    checks: extra.checks ?? [],
    remedies: [],
    evidence: (extra.checks ?? []).map((check) => ({ check, confirms: 'warn' as const })),
    manual: extra.manual ?? [],
    body: extra.body ?? '## Confirm\n\nLook.\n',
    file: `${id}.md`,
  };
}

const RUNBOOKS: readonly Runbook[] = [
  runbook('db-locks', 'Database lock contention', ['Queries hang waiting on a lock', 'Deadlocks reported by the application'], { checks: ['postgres.blocking_locks'] }),
  runbook('db-down', 'PostgreSQL unreachable', ['The application cannot connect to the database', 'Logins fail with an authentication error'], { checks: ['postgres.reachable'] }),
  runbook('db-slots', 'PostgreSQL connection slots running out', ['New sessions are rejected because every slot is taken'], { checks: ['postgres.connections'] }),
  runbook('cache-memory', 'Redis memory full', ['Redis refuses writes when memory is full', 'Keys disappear early'], { checks: ['redis.memory'] }),
  runbook('web-errors', 'Web service answers with server errors', ['Users get error pages', 'The site responds slowly'], { checks: ['http.status', 'http.latency'] }),
  runbook('mail', 'Outgoing email problems', ['Messages do not arrive', 'Recipients find our messages in spam']),
  runbook('pods-crashing', 'Kubernetes containers crashing', ['Containers exit and start again and again', 'Containers die for lack of memory'], { checks: ['k8s.crashloop', 'k8s.oomkilled'] }),
  runbook('payments-webhooks', 'Payment provider events do not reach us', ['Orders stay unpaid although the customer paid']),
  runbook('vendor-limits', 'An external API slows us down', ['Calls to a vendor are refused for going too fast'], { checks: ['http.rate_limit'] }),
];

const top = (symptom: string, runbooks: readonly Runbook[] = RUNBOOKS) => rankRunbooks(symptom, runbooks)[0]?.runbook;

describe('rankRunbooks', () => {
  it('puts the runbook the words are about first, and only runbooks that match', () => {
    const ranked = rankRunbooks('queries hang, waiting on a lock', RUNBOOKS);
    expect(ranked[0]?.runbook).toBe('db-locks');
    expect(ranked.map((r) => r.runbook)).not.toContain('mail');
    // the small words of a phrase that matched are part of it
    expect(ranked[0]?.matched).toEqual(['queries', 'hang', 'waiting', 'on', 'a', 'lock']);
    expect(top('redis refuses writes')).toBe('cache-memory');
    expect(top('containers keep exiting')).toBe('pods-crashing');
  });

  it('sorts by score, each between 0 and 1', () => {
    for (const symptom of ['database slow', 'lock', 'users get error pages and the site responds slowly', 'redis memory full memory full redis']) {
      const ranked = rankRunbooks(symptom, RUNBOOKS, { limit: 20 });
      expect(ranked.length, symptom).toBeGreaterThan(0);
      for (const r of ranked) {
        expect(r.score, `${symptom}: ${r.runbook}`).toBeGreaterThan(0);
        expect(r.score, `${symptom}: ${r.runbook}`).toBeLessThanOrEqual(1);
      }
      expect(ranked.map((r) => r.score)).toEqual([...ranked.map((r) => r.score)].sort((a, b) => b - a));
    }
  });

  it('scores one of the runbook\'s own symptoms close to 1, and one ordinary word in common low', () => {
    expect(rankRunbooks('Recipients find our messages in spam', RUNBOOKS)[0]).toMatchObject({ runbook: 'mail' });
    expect(rankRunbooks('Recipients find our messages in spam', RUNBOOKS)[0]!.score).toBeGreaterThan(0.85);
    expect(rankRunbooks('The application cannot connect to the database', RUNBOOKS)[0]!.score).toBeGreaterThan(0.85);
    const weak = rankRunbooks('the quarterly sales figures look odd in the application', RUNBOOKS);
    expect(weak.every((r) => r.score < 0.3), JSON.stringify(weak)).toBe(true);
    // words that only say something is wrong prove nothing, however rare they are in the runbooks
    for (const vague of ['something is broken', 'it fails after the deploy', 'errors']) {
      expect(rankRunbooks(vague, RUNBOOKS).filter((r) => r.score >= 0.3), vague).toEqual([]);
    }
  });

  it('understands typos against the runbooks\' words', () => {
    const ranked = rankRunbooks('postgress conection refused', RUNBOOKS);
    expect(ranked[0]?.runbook).toBe('db-down');
    expect(ranked[0]?.matched).toEqual(['postgres', 'connection', 'refused']);
    expect(top('redsi memroy ful')).toBe('cache-memory');
    expect(top('kuberentes containers crashing')).toBe('pods-crashing');
    expect(top('deadlok')).toBe('db-locks');
    expect(top('the site respnds sloly')).toBe('web-errors');
  });

  it('maps jargon and error fragments to what the runbooks say in words', () => {
    expect(top('502 bad gateway')).toBe('web-errors');
    expect(top('users see 504s')).toBe('web-errors');
    expect(top('p99 through the roof')).toBe('web-errors');
    expect(top('ECONNREFUSED 5432 postgres')).toBe('db-down');
    expect(top('FATAL: sorry, too many clients already')).toBe('db-slots');
    expect(top('SQLSTATE 53300')).toBe('db-slots');
    expect(top('300 connections from the worker')).toBe('db-slots');
    expect(rankRunbooks('CrashLoopBackOff', RUNBOOKS)[0]).toMatchObject({ runbook: 'pods-crashing', matched: ['crashloopbackoff'] });
    expect(rankRunbooks('FATAL: sorry, too many clients already', RUNBOOKS)[0]).toMatchObject({ runbook: 'db-slots', matched: ['too', 'many', 'clients'] });
    expect(top('OOMKilled exit code 137')).toBe('pods-crashing');
    expect(top('emails bouncing')).toBe('mail');
    expect(top('stripe webhook signature verification failed')).toBe('payments-webhooks');
    expect(top('429 too many requests from the vendor')).toBe('vendor-limits');
    expect(top('ERROR: deadlock detected')).toBe('db-locks');
  });

  it('reads a pasted traceback of any length, whose error comes last', () => {
    const frames = Array.from({ length: 300 }, (_, i) => `  File "/srv/app/handlers/h${i}.py", line ${i + 10}, in handle_${i}\n    result = session.execute(stmt_${i})`);
    const traceback = `Traceback (most recent call last):\n${frames.join('\n')}\npsycopg2.OperationalError: FATAL: sorry, too many clients already`;
    expect(traceback.length).toBeGreaterThan(20_000);
    const [best] = rankRunbooks(traceback, RUNBOOKS);
    expect(best).toMatchObject({ runbook: 'db-slots' });
    expect(best!.matched).toEqual(expect.arrayContaining(['too', 'many', 'clients']));
  });

  it('answers nothing for empty or meaningless words', () => {
    for (const nothing of ['', '   ', '?!', 'the and of', 'asdf qwerty', 'hello']) expect(rankRunbooks(nothing, RUNBOOKS), nothing).toEqual([]);
    expect(rankRunbooks('database', [])).toEqual([]);
  });

  it('returns at most `limit` runbooks, 5 by default', () => {
    const many = [...RUNBOOKS, ...Array.from({ length: 8 }, (_, i) => runbook(`queue-${i}`, `Queue number ${i} backs up`, ['Messages pile up in the queue']))];
    expect(rankRunbooks('messages pile up in the queue', many)).toHaveLength(5);
    expect(rankRunbooks('messages pile up in the queue', many, { limit: 2 })).toHaveLength(2);
    expect(rankRunbooks('messages pile up in the queue', many, { limit: 0 })).toEqual([]);
    expect(() => rankRunbooks('messages pile up in the queue', many, { limit: -1 })).toThrow(/limit.*-1/);
  });

  it('gives the same answer whatever the order of the runbooks, and a new array gets its own index', () => {
    const reversed = [...RUNBOOKS].reverse();
    for (const symptom of ['database connection refused', 'lock waits', 'slow site with errors']) {
      expect(rankRunbooks(symptom, reversed, { limit: 9 })).toEqual(rankRunbooks(symptom, RUNBOOKS, { limit: 9 }));
    }
    const onlyMail = [RUNBOOKS.find((r) => r.id === 'mail')!];
    expect(rankRunbooks('messages do not arrive', onlyMail).map((r) => r.runbook)).toEqual(['mail']);
    expect(rankRunbooks('queries hang waiting on a lock', onlyMail)).toEqual([]);
  });

  it('ranks ties by runbook id, so the answer is stable', () => {
    const twins = [runbook('b-twin', 'Disk full', ['The disk is full']), runbook('a-twin', 'Disk full', ['The disk is full'])];
    expect(rankRunbooks('disk full', twins).map((r) => r.runbook)).toEqual(['a-twin', 'b-twin']);
  });
});
