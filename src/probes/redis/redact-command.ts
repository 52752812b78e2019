// Slowlog arguments shown in Slack keep the command, its subcommand and the key names, and mask
// every value: "SET user:42 ?" instead of the cached payload, "CONFIG SET ? ?" instead of a
// password. Which arguments are keys comes from the server itself (COMMAND INFO: key specs on
// Redis 7, first/last/step before), so module commands and multi-key commands are right too; when
// COMMAND INFO is not available, a short list of common commands whose first argument is a key.

/** Where a command's keys are, as COMMAND INFO describes them. */
export interface CommandKeys {
  name: string;
  /** Key specs (Redis 7+): how to find the keys in argv. */
  specs: KeySpec[];
  /** Legacy positions: first key, last key (negative counts from the end), step; 0 = no keys. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** Subcommands by their own name (`config|set`), for container commands. */
  subcommands: Map<string, CommandKeys>;
}

type BeginSearch = { type: 'index'; index: number } | { type: 'keyword'; keyword: string; startfrom: number } | { type: 'unknown' };
type FindKeys = { type: 'range'; lastkey: number; keystep: number; limit: number } | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number } | { type: 'unknown' };

export interface KeySpec {
  begin: BeginSearch;
  find: FindKeys;
}

/** One entry of a COMMAND INFO reply (RESP2 shape, or RESP3 with legacy mapping); null for an unknown command. */
export function parseCommandInfo(entry: unknown): CommandKeys | undefined {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string') return undefined;
  const subcommands = new Map<string, CommandKeys>();
  if (Array.isArray(entry[9])) {
    for (const sub of entry[9]) {
      const parsed = parseCommandInfo(sub);
      if (parsed) subcommands.set(parsed.name.toLowerCase(), parsed);
    }
  }
  const specs: KeySpec[] = Array.isArray(entry[8]) ? entry[8].map(parseKeySpec).filter((s): s is KeySpec => s !== undefined) : [];
  return {
    name: entry[0].toLowerCase(),
    specs,
    firstKey: toInt(entry[3]),
    lastKey: toInt(entry[4]),
    step: toInt(entry[5]),
    subcommands,
  };
}

function parseKeySpec(raw: unknown): KeySpec | undefined {
  const spec = pairs(raw);
  const begin = pairs(spec.get('begin_search'));
  const find = pairs(spec.get('find_keys'));
  const bs = pairs(begin.get('spec'));
  const fs = pairs(find.get('spec'));
  let b: BeginSearch = { type: 'unknown' };
  if (begin.get('type') === 'index') b = { type: 'index', index: toInt(bs.get('index')) };
  else if (begin.get('type') === 'keyword' && typeof bs.get('keyword') === 'string') {
    b = { type: 'keyword', keyword: String(bs.get('keyword')).toLowerCase(), startfrom: toInt(bs.get('startfrom')) };
  }
  let f: FindKeys = { type: 'unknown' };
  if (find.get('type') === 'range') f = { type: 'range', lastkey: toInt(fs.get('lastkey')), keystep: Math.max(1, toInt(fs.get('keystep'))), limit: toInt(fs.get('limit')) };
  else if (find.get('type') === 'keynum') f = { type: 'keynum', keynumidx: toInt(fs.get('keynumidx')), firstkey: toInt(fs.get('firstkey')), keystep: Math.max(1, toInt(fs.get('keystep'))) };
  return { begin: b, find: f };
}

/**
 * Positions of the keys in argv (argv[0] is the command). `fullArgc` is the argument count before
 * the slowlog shortened the entry to 32 arguments.
 */
export function keyPositions(info: CommandKeys, argv: readonly string[], fullArgc = argv.length): Set<number> {
  const out = new Set<number>();
  const add = (from: number, to: number, step: number) => {
    for (let i = from; i <= to && i < fullArgc; i += Math.max(1, step)) if (i >= 1) out.add(i);
  };
  if (info.specs.length > 0) {
    for (const spec of info.specs) {
      let start: number | undefined;
      if (spec.begin.type === 'index') start = spec.begin.index;
      else if (spec.begin.type === 'keyword') {
        const { keyword, startfrom } = spec.begin;
        if (startfrom >= 0) {
          for (let i = startfrom; i < argv.length; i++) if (argv[i]?.toLowerCase() === keyword) { start = i + 1; break; }
        } else {
          for (let i = fullArgc + startfrom; i >= 1; i--) if (argv[i]?.toLowerCase() === keyword) { start = i + 1; break; }
        }
      }
      if (start === undefined) continue;
      const find = spec.find;
      if (find.type === 'range') {
        let last: number;
        if (find.lastkey >= 0) last = start + find.lastkey;
        else if (find.limit > 1) last = start + Math.floor((fullArgc - start) / find.limit) - 1;
        else last = fullArgc + find.lastkey;
        add(start, last, find.keystep);
      } else if (find.type === 'keynum') {
        const n = Number(argv[start + find.keynumidx]);
        if (!Number.isInteger(n) || n <= 0) continue;
        const first = start + find.firstkey;
        add(first, first + (n - 1) * find.keystep, find.keystep);
      }
    }
    return out;
  }
  if (info.firstKey > 0) {
    const last = info.lastKey >= 0 ? info.lastKey : fullArgc + info.lastKey;
    add(info.firstKey, last, info.step);
  }
  return out;
}

/** Commands whose first argument is a key, for servers that do not answer COMMAND INFO. */
const FIRST_ARG_IS_KEY = new Set(
  ('get set setex psetex setnx getset getdel getex append strlen incr incrby incrbyfloat decr decrby mget del unlink exists ' +
    'expire pexpire expireat pexpireat ttl pttl persist type dump restore rename hget hset hsetnx hmset hmget hdel hgetall hkeys ' +
    'hvals hlen hexists hincrby hincrbyfloat hscan lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset lrem ltrim ' +
    'linsert blpop brpop sadd srem smembers sismember smismember scard spop srandmember sscan sunion sinter sdiff zadd zrem ' +
    'zrange zrangebyscore zrevrange zrevrangebyscore zrangebylex zscore zincrby zcard zcount zrank zrevrank zremrangebyrank ' +
    'zremrangebyscore zscan zpopmin zpopmax xadd xrange xrevrange xlen xtrim xdel pfadd pfcount setbit getbit bitcount bitpos ' +
    'getrange setrange sort geoadd georadius geosearch json.get json.set').split(' '),
);

const MORE_ARGS = /^\.\.\. \((\d+) more arguments?\)$/;
const SHOWN_ARGS = 8;
const KEY_CHARS = 60;

/**
 * "SET user:42 ?" from a slowlog argv. `commands` maps lowercase command names to COMMAND INFO;
 * undefined when COMMAND INFO could not be read (then only the static list keeps a key).
 */
export function redactCommand(argv: readonly string[], commands: ReadonlyMap<string, CommandKeys> | undefined): string {
  if (argv.length === 0) return '(empty)';
  const name = argv[0]!.toLowerCase();
  // The slowlog keeps 32 arguments; the last one then says how many were left out.
  const more = argv.length > 1 ? MORE_ARGS.exec(argv[argv.length - 1]!) : null;
  const args = more ? argv.slice(0, -1) : [...argv];
  const fullArgc = more ? args.length + Number(more[1]) : args.length;

  const shown: string[] = [name.toUpperCase()];
  let keys = new Set<number>();
  let firstValue = 1;
  const info = commands?.get(name);
  if (info) {
    const sub = args[1] !== undefined ? info.subcommands.get(`${name}|${args[1].toLowerCase()}`) : undefined;
    if (sub) {
      // A subcommand name is one of the server's own words, never data.
      shown.push(args[1]!.toUpperCase());
      firstValue = 2;
      keys = keyPositions(sub, args, fullArgc);
    } else {
      keys = keyPositions(info, args, fullArgc);
    }
  } else if (FIRST_ARG_IS_KEY.has(name) && args.length > 1) {
    keys.add(1);
  }
  for (let i = firstValue; i < args.length; i++) {
    if (shown.length >= SHOWN_ARGS + firstValue) {
      shown.push(`… (${fullArgc - i} more)`);
      return shown.join(' ');
    }
    shown.push(keys.has(i) ? shortKey(args[i]!) : '?');
  }
  if (more) shown.push(`… (${Number(more[1])} more)`);
  return shown.join(' ');
}

function shortKey(key: string): string {
  if (key === '') return '""';
  const oneLine = key.replace(/[\r\n\t]/g, ' ');
  return oneLine.length > KEY_CHARS ? `${oneLine.slice(0, KEY_CHARS - 1)}…` : oneLine;
}

/** ["a", 1, "b", 2] -> Map { a: 1, b: 2 } (RESP maps under legacy reply mapping). */
function pairs(raw: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(raw)) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) if (typeof raw[i] === 'string') out.set(raw[i] as string, raw[i + 1]);
  return out;
}

function toInt(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}
