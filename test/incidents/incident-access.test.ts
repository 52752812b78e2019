// Who may act on an incident, and Escalate now going up exactly one level, on the engine's fake
// clock: the commander and the people paged for it always may; access.incident.* rules decide for
// everyone else; without a rule anyone may declare, acknowledge and add notes, and nobody else may
// resolve, escalate or change the severity.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { EscalatedTooRecently, IncidentAccessDenied } from '../../src/incidents/incident-access.ts';
import type { IncidentService } from '../../src/incidents/incident-service.ts';
import { CONFIG_YAML, HOUR, INCIDENTS_CHANNEL, MIN, useIncidentHarness } from './incident-harness.ts';

const h = useIncidentHarness('incident_access');

async function denial(p: Promise<unknown>): Promise<IncidentAccessDenied> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(IncidentAccessDenied);
  return error as IncidentAccessDenied;
}

async function state(id: number): Promise<{ status: string; severity: number; epoch: number; timers: number; cancelled: number }> {
  const { rows } = await h.pool.query(
    `SELECT status, severity, epoch,
            (SELECT count(*)::int FROM incident_timers t WHERE t.incident_id = i.id AND t.state = 'pending') AS timers,
            (SELECT count(*)::int FROM incident_pages p WHERE p.incident_id = i.id AND p.state = 'cancelled') AS cancelled
       FROM incidents i WHERE id = $1`, [id]);
  return rows[0];
}

describe('without access rules', () => {
  it('any member declares, acknowledges and adds notes; resolve, escalate and severity need the commander or a paged person', async () => {
    const inc = await h.service.declare({ severity: 2, title: 'api down', commander: 'U0RANDOM' });
    expect(inc.commander).toBe('U0RANDOM');
    const other = await h.service.declare({ severity: 2, title: 'db slow', commander: 'U0CMDR' });
    await h.at(0);
    const before = await state(other.id);
    expect(before).toMatchObject({ status: 'open', timers: 1 });

    for (const attempt of [() => h.service.resolve(other.id, 'U0RANDOM'), () => h.service.escalate(other.id, 'U0RANDOM'), () => h.service.setSeverity(other.id, 1, 'U0RANDOM')]) {
      const denied = await denial(attempt());
      expect(denied.incident).toBe(other.id);
      // U0ALICE is on call: DM'd and mentioned by the first page.
      expect(denied.askable).toEqual({ commander: 'U0CMDR', paged: ['U0ALICE'], pagedGroups: [], users: [], groups: [], channels: [] });
    }
    expect((await denial(h.service.resolve(other.id, 'U0RANDOM'))).message)
      .toBe(`You are not allowed to resolve INC-${other.id} (ask @U0CMDR (commander) or @U0ALICE (paged))`);
    // People by id in the refusal's line: the edge renders them as mentions.
    expect((await denial(h.service.resolve(other.id, 'U0RANDOM'))).line.filter((s) => s.type === 'user')).toEqual([{ type: 'user', id: 'U0CMDR' }, { type: 'user', id: 'U0ALICE' }]);
    // Nothing changed: still open, same severity and epoch, its timer armed, no page cancelled.
    expect(await state(other.id)).toEqual(before);
    await h.at(HOUR);
    expect(h.keys()).toContain(`INC-${other.id}/sev2:s1a0/dm:U0LEAD`);

    await h.service.note(other.id, 'U0RANDOM', 'saw it too');
    await h.service.acknowledge(other.id, 'U0RANDOM');
    expect((await h.service.timeline(other.id)).filter((e) => e.actor === 'U0RANDOM').map((e) => e.kind)).toEqual(['note', 'acknowledged']);
  });

  it('the commander changes the severity; a paged person escalates; whoever that escalation paged may resolve', async () => {
    const inc = await h.service.declare({ severity: 3, title: 'queue stuck', commander: 'U0CMDR' });
    await h.at(0);
    await denial(h.service.resolve(inc.id, 'U0LEAD'));
    await h.service.setSeverity(inc.id, 2, 'U0CMDR');
    await h.engine.runDue();
    await h.service.escalate(inc.id, 'U0ALICE');
    await h.engine.runDue();
    expect(h.keys()).toContain(`INC-${inc.id}/sev2:s1a0/dm:U0LEAD`);
    await h.service.resolve(inc.id, 'U0LEAD');
    expect((await h.service.get(inc.id))!.resolvedBy).toBe('U0LEAD');
  });

  it('a member of a user group a page mentioned may act; before that page, not', async () => {
    const step = (label: string, after: string, notify: string, via: string) => `{ label: ${label}, after: ${after}, notify: [${notify}], via: [${via}], until: resolved }`;
    const sev = `{ ackWithin: 15m, steps: [${step('on-call', '0m', '{ oncall: primary }', 'dm')}, ${step('sre', '1h', '{ group: S0SRE }', 'mention')}] }`;
    const ladder = `  ladder:\n    sev1: ${sev}\n    sev2: ${sev}\n    sev3: ${sev}\n    sev4: ${sev}\n`;
    const { service, engine } = h.make(CONFIG_YAML.replace('    vp-engineering: { user: U0VP }\n', `    vp-engineering: { user: U0VP }\n${ladder}`));
    const inc = await service.declare({ severity: 2, title: 'cache evicting', commander: 'U0CMDR' });
    await engine.runDue();
    expect((await denial(service.escalate(inc.id, 'U0SRE1'))).askable.pagedGroups).toEqual([]);
    await service.escalate(inc.id, 'U0CMDR');
    await engine.runDue();
    const page = h.pages().find((p) => p.key === `INC-${inc.id}/sev2:s1a0/channel:${INCIDENTS_CHANNEL}`)!;
    expect(page.text).toContain('<!subteam^S0SRE>');
    // Not DM'd (the level pages by mention only), but a member of the group it mentioned.
    expect(h.keys().filter((k) => k.includes('dm:U0SRE'))).toEqual([]);
    expect((await denial(service.resolve(inc.id, 'U0RANDOM'))).askable).toMatchObject({ pagedGroups: ['S0SRE'] });
    await service.resolve(inc.id, 'U0SRE1');
    expect((await service.get(inc.id))!.status).toBe('resolved');
  });
});

describe('with access rules', () => {
  const RULES = `access:
  incident.declare: { users: [U0CMDR] }
  incident.resolve: { users: [U0MGR], groups: [S0SRE] }
  incident.*: { channels: [C0WAR] }
`;

  it('a rule decides for everyone but the commander and the paged people, who always may', async () => {
    const { service, engine } = h.make(`${CONFIG_YAML}${RULES}`);
    const denied = await denial(service.declare({ severity: 2, title: 'x', commander: 'U0RANDOM', channel: 'C0OPS' }));
    expect(denied.message).toBe('You are not allowed to declare incidents (ask @U0CMDR, or do it in #C0WAR)');
    expect(await h.pool.query('SELECT 1 FROM incidents')).toMatchObject({ rowCount: 0 });
    const war = await service.declare({ severity: 2, title: 'from the war room', commander: 'U0RANDOM', channel: 'C0WAR' });
    const inc = await service.declare({ severity: 2, title: 'api down', commander: 'U0CMDR', channel: 'C0OPS' });
    await engine.runDue();

    // incident.* names ack too: a bystander outside C0WAR may not; the paged on-call still may.
    expect((await denial(service.acknowledge(inc.id, { user: 'U0RANDOM', channel: 'C0OPS' }))).askable)
      .toEqual({ commander: 'U0CMDR', paged: ['U0ALICE'], pagedGroups: [], users: [], groups: [], channels: ['C0WAR'] });
    await service.acknowledge(inc.id, { user: 'U0ALICE', channel: 'DU0ALICE' });
    // A grant by channel, by user, by group; the commander resolves the war-room incident whatever the rules say.
    await service.setSeverity(inc.id, 1, { user: 'U0RANDOM', channel: 'C0WAR' });
    expect((await denial(service.resolve(inc.id, { user: 'U0RANDOM', channel: 'C0OPS' }))).askable)
      .toEqual({ commander: 'U0CMDR', paged: ['U0ALICE'], pagedGroups: [], users: ['U0MGR'], groups: ['S0SRE'], channels: ['C0WAR'] });
    await service.resolve(inc.id, { user: 'U0SRE2', channel: 'C0OPS' });
    await service.resolve(war.id, 'U0RANDOM');
    const third = await service.declare({ severity: 4, title: 'third', commander: 'U0CMDR' });
    await service.resolve(third.id, 'U0MGR');
    expect((await h.pool.query(`SELECT id::int, resolved_by FROM incidents WHERE status = 'resolved' ORDER BY id`)).rows)
      .toEqual([{ id: war.id, resolved_by: 'U0RANDOM' }, { id: inc.id, resolved_by: 'U0SRE2' }, { id: third.id, resolved_by: 'U0MGR' }]);
  });
});

describe('Escalate now', () => {
  it('goes up one level, not to a reminder of the level already paged', async () => {
    const inc = await h.service.declare({ severity: 1, title: 'checkout down', commander: 'U0CMDR' });
    await h.at(0);
    h.clock.set(h.clock.t + 2 * MIN);
    await h.service.escalate(inc.id, 'U0CMDR');
    await h.engine.runDue();
    expect(h.keys().filter((k) => k.includes('/dm:')).sort()).toEqual([`INC-${inc.id}/sev1:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev1:s1a0/dm:U0LEAD`]);
  });

  it('a second escalation within 30 s is refused, naming who escalated to whom and when; after that it goes one more level', async () => {
    const inc = await h.service.declare({ severity: 2, title: 'payments failing', commander: 'U0CMDR' });
    await h.at(0);
    h.clock.set(h.clock.t + 10 * MIN);
    const firstAt = h.clock.t;
    await h.service.escalate(inc.id, 'U0ALICE');
    h.clock.set(firstAt + 150);
    const again = await h.service.escalate(inc.id, 'U0CMDR').then(() => undefined, (e: unknown) => e);
    expect(again).toBeInstanceOf(EscalatedTooRecently);
    expect(again).toMatchObject({ incident: inc.id, by: 'U0ALICE', to: 'team lead', at: new Date(firstAt), againAt: new Date(firstAt + 30_000), ageSeconds: 0 });
    h.clock.set(firstAt + 29_000);
    expect((await h.service.escalate(inc.id, 'U0CMDR').catch((e: unknown) => e) as Error).message)
      .toBe(`INC-${inc.id} was escalated 29 s ago by @U0ALICE to team lead; escalate again after 10:10:30 UTC to go one more level`);
    await h.engine.runDue();
    expect(h.keys().filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev2:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev2:s1a0/dm:U0LEAD`]);
    h.clock.set(firstAt + 30_000);
    await h.service.escalate(inc.id, 'U0CMDR');
    await h.engine.runDue();
    expect(h.keys().filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev2:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev2:s1a0/dm:U0LEAD`, `INC-${inc.id}/sev2:s2a0/dm:U0EM`]);
    expect((await h.service.timeline(inc.id)).filter((e) => e.kind === 'escalated').map((e) => e.text))
      .toEqual(['Escalated now by @U0ALICE: paging team lead', 'Escalated now by @U0CMDR: paging engineering manager']);
  });

  it("within 30 s of the ladder's own move to a new level, Escalate now is refused naming it; after that it goes one more level", async () => {
    const inc = await h.service.declare({ severity: 2, title: 'search slow', commander: 'U0CMDR' });
    await h.at(0);
    await h.at(HOUR); // the ladder pages the team lead itself
    const laddered = h.clock.t;
    expect(h.keys().filter((k) => k.includes('/dm:'))).toContain(`INC-${inc.id}/sev2:s1a0/dm:U0LEAD`);
    h.clock.set(laddered + 5_000);
    const again = await h.service.escalate(inc.id, 'U0CMDR').then(() => undefined, (e: unknown) => e);
    expect(again).toBeInstanceOf(EscalatedTooRecently);
    expect(again).toMatchObject({ by: undefined, to: 'team lead', ageSeconds: 5 });
    expect((again as Error).message).toContain('was escalated 5 s ago by its ladder to team lead');
    h.clock.set(laddered + 30_000);
    await h.service.escalate(inc.id, 'U0CMDR');
    await h.engine.runDue();
    expect(h.keys().filter((k) => k.includes('/dm:'))).toContain(`INC-${inc.id}/sev2:s2a0/dm:U0EM`);
  });

  it('two services on their own connections escalating at once: exactly one escalation', async () => {
    const pool = new pg.Pool({ connectionString: h.url, max: 2 });
    const other = h.make(CONFIG_YAML, pool);
    const inc = await h.service.declare({ severity: 2, title: 'disk full', commander: 'U0CMDR' });
    await h.at(0);
    const services: IncidentService[] = [h.service, other.service];
    try {
      for (let round = 0; round < 3; round++) {
        h.clock.set(h.clock.t + 31_000);
        const results = await Promise.allSettled(services.map((s, i) => s.escalate(inc.id, i === 0 ? 'U0CMDR' : 'U0ALICE')));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.find((r) => r.status === 'rejected')!.reason).toBeInstanceOf(EscalatedTooRecently);
        await h.engine.runDue();
      }
    } finally {
      await pool.end();
    }
    // Three rounds, three levels: team lead, engineering manager, VP; one page each.
    expect(h.keys().filter((k) => k.includes('/dm:'))).toEqual([
      `INC-${inc.id}/sev2:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev2:s1a0/dm:U0LEAD`, `INC-${inc.id}/sev2:s2a0/dm:U0EM`, `INC-${inc.id}/sev2:s3a0/dm:U0VP`,
    ]);
  });
});
