// The lookup incidents page through: the configured schedule, with the stored overrides applied.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createOnCallLookup } from '../../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import type { Rotation } from '../../src/oncall/rotation.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';

const primary: Rotation = { name: `lookup-${process.pid}`, members: ['U0ALICE', 'U0BOB'], every: 'weekly', handoff: '09:00', timezone: 'Europe/Berlin', start: '2026-01-05' };
const empty: Rotation = { ...primary, name: `lookup-empty-${process.pid}`, members: [] };

describe('createOnCallLookup', () => {
  let store: Store;
  let overrides: OverrideStore;

  beforeAll(async () => {
    store = await openStore({ databaseUrl: inject('pgUrl'), dataDir: '/nonexistent', log: silentLogger() });
    overrides = new OverrideStore(store.pool);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('answers from the schedule, then from an override while it lasts', async () => {
    const lookup = createOnCallLookup([primary, empty], overrides);
    expect(await lookup.onCallAt(primary.name, new Date('2026-01-07T12:00:00Z'))).toEqual({
      user: 'U0ALICE', from: new Date('2026-01-05T08:00:00Z'), until: new Date('2026-01-12T08:00:00Z'),
    });
    await overrides.add({ rotation: primary.name, user: 'U0DAVE', startsAt: new Date('2026-01-07T10:00:00Z'), endsAt: new Date('2026-01-07T14:00:00Z'), createdBy: 'U0BOB' });
    expect(await lookup.onCallAt(primary.name, new Date('2026-01-07T12:00:00Z'))).toMatchObject({ user: 'U0DAVE', override: { createdBy: 'U0BOB' } });
    expect(await lookup.onCallAt(primary.name, new Date('2026-01-07T09:00:00Z'))).toMatchObject({ user: 'U0ALICE', until: new Date('2026-01-07T10:00:00Z') });
    expect(await lookup.onCallAt(primary.name, new Date('2026-01-07T14:00:00Z'))).toMatchObject({ user: 'U0ALICE', from: new Date('2026-01-07T14:00:00Z') });
  });

  it('has no one for an unknown rotation or one without members', async () => {
    const lookup = createOnCallLookup([primary, empty], overrides);
    expect(await lookup.onCallAt('nosuch', new Date())).toBeUndefined();
    expect(await lookup.onCallAt(empty.name, new Date())).toBeUndefined();
  });
});
