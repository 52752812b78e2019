// The ladder's pre-flight check against an in-memory directory: each kind of problem as the one
// sentence an operator reads, and a sound ladder with none.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { checkLadder, describeLadderCheck } from '../../src/incidents/check-ladder.ts';
import type { SlackDirectory } from '../../src/incidents/slack-directory.ts';

function directory(users: Record<string, { deleted?: boolean; name?: string }>, groups: Record<string, string[]> = {}): SlackDirectory & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async user(id) {
      asked.push(id);
      const u = users[id];
      return u ? { ok: true, ...u } : { ok: false, problem: 'not-found', detail: 'user_not_found' };
    },
    async groupMembers(id) {
      asked.push(id);
      const members = groups[id];
      return members ? { ok: true, members } : { ok: false, problem: 'not-found', detail: 'no_such_subteam' };
    },
  };
}

const SOUND = {
  incidents: {
    channel: 'C0INCIDENTS',
    roles: { 'team-lead': { user: 'U0LEAD' }, 'engineering-manager': { user: 'U0EM' }, 'vp-engineering': { group: 'S0VPS' } },
  },
  oncall: {
    rotations: { primary: { members: ['U0ALICE', 'U0BOB'], every: 'weekly', handoff: '09:00', timezone: 'Europe/Berlin', start: '2026-01-05' } },
  },
};
const EVERYONE = { U0LEAD: {}, U0EM: {}, U0ALICE: {}, U0BOB: {} };

/** The sound config with `change` applied to a copy. */
function config(change: (raw: typeof SOUND & Record<string, unknown>) => void = () => {}) {
  const raw = structuredClone(SOUND) as typeof SOUND & Record<string, unknown>;
  change(raw);
  return parseConfig(raw, 'test.yml');
}

describe('checkLadder', () => {
  it('finds no problem in a sound default ladder, and lists who receives each level', async () => {
    const dir = directory(EVERYONE, { S0VPS: ['U0VP'] });
    const check = await checkLadder(config(), dir);
    expect(check.problems).toEqual([]);
    expect(describeLadderCheck(check)).toEqual([]);
    // SEV-1 and SEV-2 climb to the VP; SEV-3 and SEV-4 stop at the engineering manager.
    expect(check.levels).toHaveLength(14);
    expect(check.levels.filter((l) => l.severity === 1)).toEqual([
      { severity: 1, step: 'on-call', afterMs: 0, receivers: ['rotation primary (2 members)'] },
      { severity: 1, step: 'team lead', afterMs: 3_600_000, receivers: ['U0LEAD'] },
      { severity: 1, step: 'engineering manager', afterMs: 4 * 3_600_000, receivers: ['U0EM'] },
      { severity: 1, step: 'VP of engineering', afterMs: 24 * 3_600_000, receivers: ['group S0VPS'] },
    ]);
    expect(check.levels.filter((l) => l.severity === 3)).toEqual([
      { severity: 3, step: 'on-call', afterMs: 4 * 3_600_000, during: 'working-hours', receivers: ['rotation primary (2 members)'] },
      { severity: 3, step: 'team lead', afterMs: 24 * 3_600_000, during: 'working-hours', receivers: ['U0LEAD'] },
      { severity: 3, step: 'engineering manager', afterMs: 72 * 3_600_000, during: 'working-hours', receivers: ['U0EM'] },
    ]);
    // Each id once, however many levels name it.
    expect(dir.asked.sort()).toEqual(['S0VPS', 'U0ALICE', 'U0BOB', 'U0EM', 'U0LEAD']);
  });

  it('reports an unknown user, and the levels it leaves without anyone', async () => {
    const { U0LEAD: _, ...others } = EVERYONE;
    const check = await checkLadder(config(), directory(others, { S0VPS: ['U0VP'] }));
    expect(check.problems).toContain('user U0LEAD is not a Slack user (user_not_found); used in role team-lead');
    expect(check.problems).toContain("SEV-2 step 'team lead' (after 1 h): nobody can receive it: role team-lead: user U0LEAD is not a Slack user (user_not_found)");
    expect(check.problems).toHaveLength(5);
  });

  it('reports a deactivated user by name', async () => {
    const check = await checkLadder(config(), directory({ ...EVERYONE, U0EM: { deleted: true, name: 'erin' } }, { S0VPS: ['U0VP'] }));
    expect(check.problems).toContain('user U0EM (@erin) is deactivated; used in role engineering-manager');
    expect(check.problems).toContain("SEV-1 step 'engineering manager' (after 4 h): nobody can receive it: role engineering-manager: user U0EM (@erin) is deactivated");
  });

  it('reports a role the ladder names that incidents.roles does not define', async () => {
    const check = await checkLadder(config((raw) => {
      raw.incidents.roles = { 'engineering-manager': { user: 'U0EM' }, 'vp-engineering': { group: 'S0VPS' } } as typeof raw.incidents.roles;
    }), directory(EVERYONE, { S0VPS: ['U0VP'] }));
    expect(check.problems).toContain("role team-lead is not defined in incidents.roles; used at step 'team lead' of SEV-1, SEV-2, SEV-3 and SEV-4");
    expect(check.problems).toContain("SEV-1 step 'team lead' (after 1 h): nobody can receive it: role team-lead is not defined in incidents.roles");
    expect(check.levels.find((l) => l.severity === 1 && l.step === 'team lead')?.receivers).toEqual([]);
  });

  it('reports an empty rotation and an empty user group', async () => {
    const check = await checkLadder(config((raw) => {
      raw.oncall.rotations.primary.members = [];
    }), directory(EVERYONE, { S0VPS: [] }));
    expect(check.problems).toContain("rotation primary has no members; used at step 'on-call' of SEV-1, SEV-2, SEV-3 and SEV-4");
    expect(check.problems).toContain("SEV-1 step 'on-call' (at once): nobody can receive it: rotation primary has no members");
    expect(check.problems).toContain('user group S0VPS has no members; used in role vp-engineering');
  });

  it('reports a rotation the ladder names that oncall.rotations does not define', async () => {
    const check = await checkLadder(config((raw) => {
      raw.oncall = { rotations: {} } as unknown as typeof raw.oncall;
    }), directory(EVERYONE, { S0VPS: ['U0VP'] }));
    expect(check.problems).toContain("rotation primary is not defined in oncall.rotations; used at step 'on-call' of SEV-1, SEV-2, SEV-3 and SEV-4");
    expect(check.problems).toContain("SEV-3 step 'on-call' (after 4 h, in working hours): nobody can receive it: rotation primary is not defined in oncall.rotations");
  });

  it('a channel receives a level; a configured ladder is checked instead of the default', async () => {
    const step = (label: string, notify: unknown[]) => ({ label, after: '0', notify, until: 'acknowledged' });
    const sev = (steps: unknown[]) => ({ ackWithin: '15m', steps });
    const check = await checkLadder(config((raw) => {
      raw.incidents = {
        ...raw.incidents,
        ladder: {
          sev1: sev([step('first', [{ user: 'U0GONE' }, { channel: 'C0WAR' }])]),
          sev2: sev([step('first', [{ user: 'U0GONE' }])]),
          sev3: sev([step('first', [{ oncall: 'primary' }])]),
          sev4: sev([step('first', [{ group: 'S0NONE' }])]),
        },
      } as typeof raw.incidents;
    }), directory(EVERYONE));
    expect(check.levels.map((l) => l.receivers)).toEqual([['channel C0WAR'], [], ['rotation primary (2 members)'], []]);
    expect(check.problems).toEqual([
      "SEV-2 step 'first' (at once): nobody can receive it: user U0GONE is not a Slack user (user_not_found)",
      "SEV-4 step 'first' (at once): nobody can receive it: user group S0NONE cannot be read (no_such_subteam)",
      "user U0GONE is not a Slack user (user_not_found); used at step 'first' of SEV-1 and SEV-2",
      "user group S0NONE cannot be read (no_such_subteam); used at step 'first' of SEV-4",
    ]);
  });

  it('a severity the config ladders alone is checked as configured; the others keep the default', async () => {
    const check = await checkLadder(config((raw) => {
      raw.incidents = { ...raw.incidents, ladder: { sev4: { ackWithin: '2d', steps: [{ label: 'triage', after: '2d', notify: [{ channel: 'C0TRIAGE' }], until: 'resolved', during: 'working-hours' }] } } } as typeof raw.incidents;
    }), directory(EVERYONE, { S0VPS: ['U0VP'] }));
    expect(check.problems).toEqual([]);
    expect(check.levels.filter((l) => l.severity === 4)).toEqual([{ severity: 4, step: 'triage', afterMs: 48 * 3_600_000, during: 'working-hours', receivers: ['channel C0TRIAGE'] }]);
    expect(check.levels.filter((l) => l.severity === 2).map((l) => l.step)).toEqual(['on-call', 'team lead', 'engineering manager', 'VP of engineering']);
  });

  it('without incidents configured, says how to configure them', async () => {
    const check = await checkLadder(parseConfig({}, 'test.yml'), directory({}));
    expect(check.levels).toEqual([]);
    expect(check.problems).toEqual([expect.stringMatching(/^incidents are not configured: add incidents\.channel/)]);
    expect(describeLadderCheck(check)[0]).toMatch(/^escalation ladder: incidents are not configured/);
  });
});
