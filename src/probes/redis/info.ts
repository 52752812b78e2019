// INFO text ("# Section" headers, "name:value" lines) as a map, with the few readers the checks
// share. Field names are unique across sections, so one flat map is enough.

export type Info = ReadonlyMap<string, string>;

export function parseInfo(text: string): Info {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

/** A numeric field, or undefined when absent or not a number (older servers lack some fields). */
export function num(info: Info, name: string): number | undefined {
  const v = info.get(name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** "ip=10.0.0.2,port=6379,state=online" (slaveN, dbN lines) as a map. */
export function subfields(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

export interface Keyspace {
  keys: number;
  expires: number;
  /** "db0 12,345 keys" parts, largest first. */
  databases: Array<{ db: string; keys: number; expires: number }>;
}

/** Key counts from INFO keyspace: O(databases), never a scan. */
export function keyspace(info: Info): Keyspace {
  const databases: Keyspace['databases'] = [];
  for (const [name, value] of info) {
    if (!/^db\d+$/.test(name)) continue;
    const f = subfields(value);
    databases.push({ db: name, keys: Number(f.get('keys') ?? 0), expires: Number(f.get('expires') ?? 0) });
  }
  databases.sort((a, b) => b.keys - a.keys);
  return {
    keys: databases.reduce((s, d) => s + d.keys, 0),
    expires: databases.reduce((s, d) => s + d.expires, 0),
    databases,
  };
}

/** "errorstat_OOM:count=5" -> 5: replies of one error prefix since server start (Redis 6.2+). */
export function errorCount(info: Info, prefix: string): number | undefined {
  const v = info.get(`errorstat_${prefix}`);
  if (v === undefined) return undefined;
  const n = Number(subfields(v).get('count'));
  return Number.isFinite(n) ? n : undefined;
}
