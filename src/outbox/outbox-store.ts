// What the outbox (outbox.ts) needs of a store whose rows each have one Slack message: claims
// with a lease and an owner (no lock held while Slack is called), a post fenced on the claim, the
// message recorded, the shown version, and retries. Alert groups and heartbeats implement it.
import type { PostedRef } from '../channel-poster.ts';

export interface OutboxStore<Row, Id> {
  /** Rows whose message is behind, claimed for `leaseMs` by `owner`; a dead owner's claim is taken over when it ends. */
  claimBehind(owner: string, leaseMs: number, limit: number): Promise<Row[]>;
  /** The row as it is now, its claim by `owner` renewed; undefined when the claim is another's now. */
  renewClaim(id: Id, owner: string, leaseMs: number): Promise<Row | undefined>;
  /** Before a post (renewing the claim): false when `owner`'s claim ran out meanwhile, and then it does not post. */
  markPosting(id: Id, owner: string, leaseMs: number): Promise<boolean>;
  /** The message of the row's `round` (episode, outage) is at channel/ts. */
  setMessage(id: Id, round: number, channel: string, ts: string): Promise<void>;
  /** The message was deleted in Slack: the next delivery posts it anew. */
  forgetMessage(id: Id, owner: string): Promise<void>;
  /** `version` is shown; true when the row moved on meanwhile (the claim is kept for that). */
  markShown(id: Id, owner: string, version: number): Promise<boolean>;
  /** A failed delivery: the claim given up, tried again after `delayMs`; `counted`: the attempt counts for the backoff. */
  retryLater(id: Id, owner: string, delayMs: number, error: string, counted: boolean): Promise<void>;
}

/** A row as the outbox sees it. */
export interface OutboxItem<Id> {
  id: Id;
  channel: string | null;
  version: number;
  attempts: number;
  /** A post claimed and never recorded (it may be in the channel). */
  postingSince: Date | null;
  /** The episode (alerts) or outage (heartbeats): each round has its own message. */
  round: number;
  /** The round's message, when it is posted and recorded. */
  posted: PostedRef | undefined;
  /** The key the round's message is posted with (and found by). */
  key: string;
}
