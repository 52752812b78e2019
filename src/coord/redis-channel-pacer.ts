// The channel pacer shared by every replica through the bot's Redis: one spacing per channel
// across all of them, and Slack's Retry-After held by all of them. A call reserves its channel's
// next slot atomically (a Lua script on Redis's own clock, so replicas' clocks need not agree):
// reserve = max(now, next, hold end); next = reserve + interval; then it waits until reserve.
// When Redis does not answer, the call goes through the in-process pacer instead (each replica
// spaces its own posts until Redis is back).
import type { Logger } from '../logger.ts';
import type { BotRedis } from './bot-redis.ts';
import { PacerStoppedError, type ChannelPacer } from './channel-pacer.ts';

/** Slack takes about one message per second per channel. */
export const DEFAULT_INTERVAL_MS = 1_000;

/** How long a channel's next-slot key outlives its last reservation (an idle channel leaves nothing behind). */
const KEEP_AFTER_MS = 60_000;

/** KEYS: next slot, hold end. ARGV: interval ms, keep ms. Returns how long to wait (ms) for the reserved slot. */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local reserve = now
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if nxt > reserve then reserve = nxt end
local hold = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if hold > reserve then reserve = hold end
local after = reserve + tonumber(ARGV[1])
redis.call('SET', KEYS[1], after, 'PX', after - now + tonumber(ARGV[2]))
return reserve - now`;

/** KEYS: hold end. ARGV: hold ms. Sets the hold's end unless a later one is set already. */
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ends = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if ends > cur then redis.call('SET', KEYS[1], ends, 'PX', tonumber(ARGV[1])) end
return 1`;

/** KEYS: hold end. Returns how long the hold still lasts (ms), 0 when none. */
const HOLD_LEFT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if hold > now then return hold - now end
return 0`;

export interface RedisChannelPacerOptions {
  redis: BotRedis;
  /** The in-process pacer used while Redis does not answer. */
  fallback: ChannelPacer;
  log: Logger;
  /** Spacing between two calls' starts for one channel, across replicas. */
  intervalMs?: number;
}

export class RedisChannelPacer implements ChannelPacer {
  readonly #redis: BotRedis;
  readonly #fallback: ChannelPacer;
  readonly #log: Logger;
  readonly #intervalMs: number;
  /** The last call queued per channel in this process: the next one starts after it has finished. */
  readonly #tails = new Map<string, Promise<unknown>>();
  /** Holds seen by this process, kept even when Redis did not take them. */
  readonly #holds = new Map<string, number>();
  readonly #waits = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  #stopped = false;

  constructor(options: RedisChannelPacerOptions) {
    this.#redis = options.redis;
    this.#fallback = options.fallback;
    this.#log = options.log.child({ component: 'pacer' });
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  run<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new PacerStoppedError());
    const previous = this.#tails.get(channel) ?? Promise.resolve();
    const call = previous.catch(() => undefined).then(() => this.#runInTurn(channel, fn));
    const tail = call.catch(() => undefined);
    this.#tails.set(channel, tail);
    // The map does not grow with every channel ever posted to.
    void tail.then(() => {
      if (this.#tails.get(channel) === tail) this.#tails.delete(channel);
    });
    return call;
  }

  async hold(channel: string, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    const ends = Date.now() + ms;
    if (ends > (this.#holds.get(channel) ?? 0)) this.#holds.set(channel, ends);
    await this.#fallback.hold(channel, ms);
    const set = await this.#redis.call('pacer hold', (r) => r.eval(HOLD, 1, holdKey(channel), String(Math.ceil(ms))));
    if (set === undefined) this.#log.warn({ channel, ms }, 'Slack asked to wait: held in this replica only (the bot\'s Redis did not answer)');
  }

  stop(): void {
    this.#stopped = true;
    this.#fallback.stop();
    for (const wait of this.#waits) {
      clearTimeout(wait.timer);
      wait.reject(new PacerStoppedError());
    }
    this.#waits.clear();
  }

  async #runInTurn<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.#stopped) throw new PacerStoppedError();
      // A hold this process knows of, whether or not Redis took it.
      const localHold = (this.#holds.get(channel) ?? 0) - Date.now();
      if (localHold > 0) {
        await this.#sleep(localHold);
        continue;
      }
      this.#holds.delete(channel);
      const wait = await this.#redis.call('pacer reserve', (r) => r.eval(RESERVE, 2, nextKey(channel), holdKey(channel), String(this.#intervalMs), String(KEEP_AFTER_MS)));
      if (wait === undefined) return await this.#fallback.run(channel, fn);
      if (Number(wait) > 0) await this.#sleep(Number(wait));
      // A hold set by any replica while this call waited for its slot: wait it out and take a new slot.
      const holdLeft = await this.#redis.call('pacer hold check', (r) => r.eval(HOLD_LEFT, 1, holdKey(channel)));
      if (Number(holdLeft ?? 0) > 0) {
        await this.#sleep(Number(holdLeft));
        continue;
      }
      if (this.#stopped) throw new PacerStoppedError();
      return await fn();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#stopped) {
        reject(new PacerStoppedError());
        return;
      }
      const wait = {
        timer: setTimeout(() => {
          this.#waits.delete(wait);
          resolve();
        }, ms),
        reject,
      };
      this.#waits.add(wait);
    });
  }
}

// One hash tag per channel: both keys of a channel land on one Redis Cluster slot.
const nextKey = (channel: string): string => `chatops:pace:{${channel}}:next`;
const holdKey = (channel: string): string => `chatops:pace:{${channel}}:hold`;
