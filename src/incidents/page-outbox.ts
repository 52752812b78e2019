// The page outbox: page rows are written with the ladder's transaction and sent from here, after
// it committed. A page is claimed with a lease (one statement, FOR UPDATE SKIP LOCKED, no lock
// held afterwards), sent, and recorded sent. A page whose sender died is taken over when its
// lease ends and first looked up in Slack by its key (findSent): an ambiguous send is never
// blindly repeated. Slack's 429s are waited out as asked without using up an attempt; other
// failures are retried with backoff; a page that still cannot go is recorded failed and said in
// the incident's thread.
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics/metrics.ts';
import { channel, group, spans, user, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import type { Clock } from './clock.ts';
import type { Incident } from './incident.ts';
import type { ClaimedPage, IncidentStore } from './incident-store.ts';
import { nextLevel } from './next-level.ts';
import { PageError, storedMentions, type Mentions, type OutgoingPage, type Pager } from './pager.ts';

export interface PageOutboxOptions {
  store: IncidentStore;
  pager: Pick<Pager, 'send' | 'findSent'>;
  clock: Clock;
  log: Logger;
  /** Delivery attempts before a page is given up (429 waits do not count). */
  maxAttempts: number;
  /** How long a claimed page may take before another replica may take it over. */
  leaseMs: number;
  /** Pages sent at once. */
  concurrency: number;
}

export interface Delivery {
  claimed: number;
  sent: number;
  failed: number;
  /** Incidents with a page sent: their message is behind. */
  touched: Set<number>;
}

const PAGE_BATCH = 100;
/** A page later than this after its due time is marked late. */
const LATE_AFTER_MS = 2_000;

type Outcome = 'sent' | 'failed' | 'retry' | 'cancelled';

export class PageOutbox {
  readonly #o: PageOutboxOptions;

  constructor(options: PageOutboxOptions) {
    this.#o = options;
  }

  /** Claims up to a batch of due pages and sends them, `concurrency` at once. */
  async deliverDue(): Promise<Delivery> {
    const now = this.#o.clock.now();
    const rows = await this.#o.store.claimDuePages(now, new Date(now.getTime() + this.#o.leaseMs), PAGE_BATCH);
    const result: Delivery = { claimed: rows.length, sent: 0, failed: 0, touched: new Set() };
    if (rows.length === 0) return result;
    const incidents = await this.#o.store.getMany([...new Set(rows.map((r) => r.incidentId))]);
    const queue = [...rows];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const incident = incidents.get(row.incidentId);
        const outcome = incident ? await this.#observed(row, incident) : 'cancelled';
        if (outcome === 'sent') {
          result.sent += 1;
          result.touched.add(row.incidentId);
        }
        if (outcome === 'failed') result.failed += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, rows.length) }, worker));
    return result;
  }

  /**
   * One page's delivery, counted and logged: one line per attempt, whose correlation id is the
   * page's key (the same on every attempt and every replica, and the key it is looked up by in Slack).
   */
  async #observed(row: ClaimedPage, incident: Incident): Promise<Outcome> {
    const started = Date.now();
    let lagMs: number | undefined;
    let outcome: Outcome | 'error' = 'error';
    try {
      outcome = await this.#deliver(row, incident, (ms) => (lagMs = ms));
      return outcome;
    } finally {
      if (outcome === 'sent') metrics.pagesTotal.inc({ outcome: 'sent' });
      if (outcome === 'sent' && lagMs !== undefined) {
        metrics.pageLag.observe(Math.max(0, lagMs) / 1000);
        if (lagMs > LATE_AFTER_MS) metrics.pagesTotal.inc({ outcome: 'late' });
      }
      if (outcome === 'retry') metrics.pagesTotal.inc({ outcome: 'retried' });
      if (outcome === 'failed') metrics.pagesTotal.inc({ outcome: 'failed' });
      const line = { op: 'page', correlation_id: row.key, incident: incident.id, paged: row.label, attempt: row.attempts, duration_ms: Date.now() - started, outcome, ...(lagMs !== undefined && { lag_ms: lagMs }) };
      if (outcome === 'sent' || outcome === 'cancelled') this.#o.log.info(line, 'page');
      else this.#o.log.warn(line, 'page');
    }
  }

  async #deliver(row: ClaimedPage, incident: Incident, onSent: (lagMs: number) => void): Promise<Outcome> {
    const { store, pager, clock } = this.#o;
    // An ack or resolve that came after the page was created: it is no longer needed.
    if (incident.status === 'resolved' || (row.until === 'acknowledged' && incident.status !== 'open')) {
      await store.cancelPage(row.id);
      return 'cancelled';
    }
    const now = clock.now();
    const page: OutgoingPage = {
      key: row.key,
      incident,
      label: row.label,
      recipient: row.recipient,
      attempt: Number(/a(\d+)$/.exec(row.point)?.[1] ?? 0),
      lateMs: Math.max(0, now.getTime() - row.dueAt.getTime()),
      ...nextLevel(incident, now),
      ...(row.interrupted && { sentNotBefore: row.readySince }),
    };
    try {
      // Claimed before and never finished: it may have gone out already.
      const delivered = (row.interrupted ? await pager.findSent(page) : undefined) ?? (await pager.send(page));
      const sentAt = clock.now();
      const lateMs = sentAt.getTime() - row.dueAt.getTime();
      onSent(lateMs);
      if ((await store.markSent(row.id, sentAt, delivered, lateMs)) && !('thread' in row.recipient)) {
        const late = lateMs > LATE_AFTER_MS ? [` (${formatDuration(lateMs / 1000)} late)`] : [];
        await store.addEvent(incident.id, sentAt, null, 'paged', spans(`Paged ${row.label}: `, ...whom(row.recipient), ...late));
      }
      return 'sent';
    } catch (error) {
      return await this.#failed(row, incident, error);
    }
  }

  async #failed(row: ClaimedPage, incident: Incident, error: unknown): Promise<'failed' | 'retry'> {
    const { store } = this.#o;
    const now = this.#o.clock.now().getTime();
    const pageError = error instanceof PageError ? error : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    if (pageError?.retryAfterMs !== undefined) {
      // Slack's rate limit is not the page's fault: wait as asked, without using up an attempt.
      await store.retryPageAt(row.id, new Date(now + pageError.retryAfterMs), reason, true);
      return 'retry';
    }
    if (!pageError?.permanent && row.attempts < this.#o.maxAttempts) {
      await store.retryPageAt(row.id, new Date(now + 1_000 * 2 ** (row.attempts - 1)), reason, false);
      return 'retry';
    }
    const given = await store.failPage(row.id, reason);
    this.#o.log.warn({ incident: incident.id, page: row.key, err: error }, 'page given up');
    if (given && !('thread' in row.recipient)) {
      const after = ` after ${row.attempts} ${row.attempts === 1 ? 'attempt' : 'attempts'}: ${reason}. The ladder goes on.`;
      const said = spans(`Could not page ${row.label} `, ...whom(row.recipient), after);
      const at = new Date(now);
      await store.addEvent(incident.id, at, null, 'page_failed', said);
      await store.insertPage({ key: `${row.key}/failed`, incidentId: incident.id, point: row.point, label: row.label, recipient: { thread: true, text: said }, until: 'resolved', dueAt: at, createdAt: at });
    }
    return 'failed';
  }
}

/**
 * Whom a DM or a channel page reached, by id: "@U1 by DM", "@U1, @S1 in #C1"; a channel page that
 * names nobody was "posted in #C1" (a channel is where a page went, never someone paged).
 */
function whom(recipient: { dm: string } | { channel: string; mentions: Mentions | readonly string[] }): Array<Span | string> {
  if ('dm' in recipient) return [user(recipient.dm), ' by DM'];
  const { users, groups } = storedMentions(recipient.mentions);
  const named: Span[] = [...users.map((u) => user(u)), ...groups.map((g) => group(g))];
  if (named.length === 0) return ['posted in ', channel(recipient.channel)];
  return [...named.flatMap((s, n) => (n === 0 ? [s] : [', ', s])), ' in ', channel(recipient.channel)];
}
