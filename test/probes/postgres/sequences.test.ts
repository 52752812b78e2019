// Sequences near their end, in a database of their own on each server: the limit is the smaller of
// the sequence's maximum and its column's type.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forgetSequenceLists } from '../../../src/probes/postgres/checks/sequences.ts';
import { ClientBag, findingOf, runProbe } from './probe-helpers.ts';
import { describeOnEachServer } from './servers-under-test.ts';

describeOnEachServer('sequences', { seq: {} }, (pg) => {
  const bag = new ClientBag();

  beforeEach(async () => {
    // Each test starts from an empty schema, and the probe reads the catalogue afresh (it
    // otherwise reuses its list of sequences for minutes).
    const db = await bag.open(pg.url('seq'));
    await db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    forgetSequenceLists();
  });

  afterEach(async () => {
    await bag.closeAll();
  });

  it('is ok with many bigserial tables far from their end', async () => {
    const db = await bag.open(pg.url('seq'));
    await db.query(`DO $$ BEGIN FOR i IN 1..50 LOOP EXECUTE format('CREATE TABLE big_%s (id bigserial PRIMARY KEY)', i); END LOOP; END $$`);
    await db.query('INSERT INTO big_1 DEFAULT VALUES');
    expect(findingOf(await runProbe(pg.url('seq')), 'sequences').status).toBe('ok');
  });

  it('flags a serial column at 96% of the integer range as crit', async () => {
    const db = await bag.open(pg.url('seq'));
    await db.query('CREATE TABLE orders (id serial PRIMARY KEY)');
    await db.query("SELECT setval('orders_id_seq', 2061584302)"); // 96% of 2^31-1
    const f = findingOf(await runProbe(pg.url('seq')), 'sequences');
    expect(f.status).toBe('crit');
    expect(f.title).toContain('public.orders_id_seq');
    expect(f.detail).toContain('orders_id_seq (integer)');
    expect(f.fix).toContain('bigint');
    expect(f.detail).not.toContain('Fix:');
  });

  it('judges a bigint sequence feeding an integer column by the column type', async () => {
    const db = await bag.open(pg.url('seq'));
    await db.query('CREATE TABLE events (id integer PRIMARY KEY)');
    await db.query('CREATE SEQUENCE events_id_seq AS bigint OWNED BY events.id');
    await db.query("SELECT setval('events_id_seq', 1900000000)"); // 88% of the integer column's range
    const f = findingOf(await runProbe(pg.url('seq')), 'sequences');
    expect(f.status).toBe('warn');
    expect(f.title).toContain('public.events_id_seq');
    expect(f.detail).toMatch(/events_id_seq \(integer\)/);
  });

  it('tells a bigint sequence near its own MAXVALUE to raise the limit, not to become bigint', async () => {
    const db = await bag.open(pg.url('seq'));
    await db.query('CREATE SEQUENCE order_seq MAXVALUE 1000');
    await db.query("SELECT setval('order_seq', 960)");
    const f = findingOf(await runProbe(pg.url('seq')), 'sequences');
    expect(f.status).toBe('crit');
    expect(f.detail).toContain('order_seq (bigint)');
    expect(f.fix).toContain('already bigint');
    expect(f.fix).toContain('NO MAXVALUE');
    expect(f.fix).not.toContain('AS bigint');
  });

  it('reads the current values of the sequences it watches on every run', async () => {
    const db = await bag.open(pg.url('seq'));
    await db.query('CREATE TABLE tickets (id serial PRIMARY KEY)');
    await db.query("SELECT setval('tickets_id_seq', 1)");
    expect(findingOf(await runProbe(pg.url('seq')), 'sequences').status).toBe('ok');
    // No forgetSequenceLists() here: the list is reused, the value must still be fresh.
    await db.query("SELECT setval('tickets_id_seq', 2100000000)");
    const f = findingOf(await runProbe(pg.url('seq')), 'sequences');
    expect(f.status).toBe('crit');
    expect(f.title).toContain('tickets_id_seq');
  });
});
