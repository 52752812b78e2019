// Overrides on the real PostgreSQL: stored, found while in force or overlapping a window, latest
// created first, one rotation's apart from another's.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';

const HOUR = 3_600_000;
// The database is shared with other test files: rotation names of our own.
const rotation = (name: string) => `store-${process.pid}-${name}`;

describe('OverrideStore', () => {
  let store: Store;
  let overrides: OverrideStore;
  const t0 = new Date('2026-02-02T12:00:00Z');
  const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

  beforeAll(async () => {
    store = await openStore({ databaseUrl: inject('pgUrl'), dataDir: '/nonexistent', log: silentLogger() });
    overrides = new OverrideStore(store.pool);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores an override and returns it as stored', async () => {
    const added = await overrides.add({ rotation: rotation('add'), user: 'U0DAVE', startsAt: at(0), endsAt: at(4), createdBy: 'U0ALICE' });
    expect(added).toEqual({ rotation: rotation('add'), user: 'U0DAVE', startsAt: at(0), endsAt: at(4), createdBy: 'U0ALICE' });
  });

  it('finds the overrides in force at a time, latest created first', async () => {
    const r = rotation('active');
    await overrides.add({ rotation: r, user: 'U0OLD', startsAt: at(-10), endsAt: at(10), createdBy: 'U0ALICE' });
    await overrides.add({ rotation: r, user: 'U0NEW', startsAt: at(-1), endsAt: at(1), createdBy: 'U0BOB' });
    await overrides.add({ rotation: rotation('other'), user: 'U0ELSE', startsAt: at(-1), endsAt: at(1), createdBy: 'U0BOB' });

    expect((await overrides.active(r, at(0))).map((o) => o.user)).toEqual(['U0NEW', 'U0OLD']);
    // starts_at is inclusive, ends_at exclusive.
    expect((await overrides.active(r, at(-1))).map((o) => o.user)).toEqual(['U0NEW', 'U0OLD']);
    expect((await overrides.active(r, at(1))).map((o) => o.user)).toEqual(['U0OLD']);
    expect(await overrides.active(r, at(10))).toEqual([]);
    expect(await overrides.active(rotation('nobody'), at(0))).toEqual([]);
  });

  it('finds the overrides overlapping a window', async () => {
    const r = rotation('covering');
    await overrides.add({ rotation: r, user: 'U0A', startsAt: at(0), endsAt: at(2), createdBy: 'U0ALICE' });
    await overrides.add({ rotation: r, user: 'U0B', startsAt: at(5), endsAt: at(8), createdBy: 'U0ALICE' });
    await overrides.add({ rotation: r, user: 'U0C', startsAt: at(20), endsAt: at(30), createdBy: 'U0ALICE' });

    expect((await overrides.covering(r, at(1), at(6))).map((o) => o.user)).toEqual(['U0B', 'U0A']);
    expect((await overrides.covering(r, at(2), at(5))).map((o) => o.user)).toEqual([]);
    expect((await overrides.covering(r, at(-100), at(100))).map((o) => o.user)).toEqual(['U0C', 'U0B', 'U0A']);
  });

  it('refuses an override that ends before it starts', async () => {
    await expect(overrides.add({ rotation: rotation('bad'), user: 'U0A', startsAt: at(1), endsAt: at(1), createdBy: 'U0ALICE' })).rejects.toThrow(/check constraint/);
  });
});
