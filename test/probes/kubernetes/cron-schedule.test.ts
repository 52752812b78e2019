// The CronJob schedule parser: the next run after a moment, for the forms the Kubernetes
// controller accepts (fields, names, ranges, steps, macros, @every, time zones), and the missed
// runs the cronjobs check counts from it.
import { describe, expect, it } from 'vitest';
import { CronScheduleError, parseCronSchedule } from '../../../src/probes/kubernetes/cron-schedule.ts';
import { missedRuns } from '../../../src/probes/kubernetes/checks/cronjobs.ts';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, after: string, tz?: string) => {
  const n = parseCronSchedule(expr, tz).next(at(after));
  return n === undefined ? undefined : new Date(n).toISOString();
};

describe('parseCronSchedule: the next run', () => {
  it('reads minutes, hours, lists, ranges and steps', () => {
    expect(next('*/15 * * * *', '2026-03-10T10:07:00Z')).toBe('2026-03-10T10:15:00.000Z');
    expect(next('*/15 * * * *', '2026-03-10T10:15:00Z')).toBe('2026-03-10T10:30:00.000Z');
    expect(next('5,35 9-17 * * *', '2026-03-10T17:40:00Z')).toBe('2026-03-11T09:05:00.000Z');
    expect(next('0 2/6 * * *', '2026-03-10T09:00:00Z')).toBe('2026-03-10T14:00:00.000Z');
  });

  it('reads month and weekday names, and 7 as Sunday', () => {
    // 2026-03-10 is a Tuesday.
    expect(next('30 8 * * MON-FRI', '2026-03-13T09:00:00Z')).toBe('2026-03-16T08:30:00.000Z');
    expect(next('0 0 * * 7', '2026-03-10T00:00:00Z')).toBe('2026-03-15T00:00:00.000Z');
    expect(next('0 0 1 jan,jul *', '2026-03-10T00:00:00Z')).toBe('2026-07-01T00:00:00.000Z');
  });

  it('day of month and day of week both restricted: either matches (as cron does)', () => {
    // The 13th, or any Friday: Friday 2026-03-13 is both; the next after it is Friday the 20th.
    expect(next('0 12 13 * FRI', '2026-03-10T00:00:00Z')).toBe('2026-03-13T12:00:00.000Z');
    expect(next('0 12 13 * FRI', '2026-03-13T12:00:00Z')).toBe('2026-03-20T12:00:00.000Z');
  });

  it('understands the macros and @every', () => {
    expect(next('@hourly', '2026-03-10T10:07:00Z')).toBe('2026-03-10T11:00:00.000Z');
    expect(next('@daily', '2026-03-10T10:07:00Z')).toBe('2026-03-11T00:00:00.000Z');
    expect(next('@midnight', '2026-03-10T10:07:00Z')).toBe('2026-03-11T00:00:00.000Z');
    expect(next('@weekly', '2026-03-10T10:07:00Z')).toBe('2026-03-15T00:00:00.000Z');
    expect(next('@monthly', '2026-03-10T10:07:00Z')).toBe('2026-04-01T00:00:00.000Z');
    expect(next('@yearly', '2026-03-10T10:07:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@every 1h30m', '2026-03-10T10:07:00Z')).toBe('2026-03-10T11:37:00.000Z');
  });

  it('reads the fields in the CronJob\'s time zone, across a daylight saving change', () => {
    // 02:30 in Berlin is 01:30 UTC in winter (CET) and 00:30 UTC in summer (CEST, from 2026-03-29).
    expect(next('30 2 * * *', '2026-03-10T00:00:00Z', 'Europe/Berlin')).toBe('2026-03-10T01:30:00.000Z');
    expect(next('0 9 * * *', '2026-03-30T00:00:00Z', 'Europe/Berlin')).toBe('2026-03-30T07:00:00.000Z');
    expect(next('0 9 * * *', '2026-03-10T12:00:00Z', 'America/New_York')).toBe('2026-03-10T13:00:00.000Z');
    expect(next('CRON_TZ=Asia/Tokyo 0 9 * * *', '2026-03-10T12:00:00Z')).toBe('2026-03-11T00:00:00.000Z');
  });

  it('skips a wall time the clock jumps over and runs twice in the hour it repeats, as robfig/cron does', () => {
    // 2026-03-29 in Berlin has no 02:30 (01:59 CET is followed by 03:00 CEST): no run that day.
    expect(next('30 2 * * *', '2026-03-28T12:00:00Z', 'Europe/Berlin')).toBe('2026-03-30T00:30:00.000Z');
    // 2026-10-25 has 02:30 twice: 00:30 UTC (CEST) and 01:30 UTC (CET).
    expect(next('30 2 * * *', '2026-10-24T12:00:00Z', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
    expect(next('30 2 * * *', '2026-10-25T00:30:00Z', 'Europe/Berlin')).toBe('2026-10-25T01:30:00.000Z');
    expect(next('30 2 * * *', '2026-10-25T01:30:00Z', 'Europe/Berlin')).toBe('2026-10-26T01:30:00.000Z');
    // Hourly through the repeated hour: every instant, none skipped, none twice.
    const runs: string[] = [];
    let t = '2026-10-24T23:30:00Z';
    for (let i = 0; i < 4; i++) runs.push(t = next('0 * * * *', t, 'Europe/Berlin')!);
    expect(runs).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z']);
  });

  it('a date that never comes has no next run', () => {
    expect(next('0 0 30 2 *', '2026-03-10T00:00:00Z')).toBeUndefined();
  });

  it('refuses what the controller would refuse, naming the part at fault', () => {
    const refusal = (expr: string, tz?: string) => {
      try {
        parseCronSchedule(expr, tz);
      } catch (e) {
        expect(e).toBeInstanceOf(CronScheduleError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('* * * *')).toMatch(/has 4 fields; a schedule has 5/);
    expect(refusal('61 * * * *')).toMatch(/61 in the minute field .* outside 0-59/);
    expect(refusal('0 0 * * FUNDAY')).toMatch(/"FUNDAY" in the day of week field/);
    expect(refusal('*/0 * * * *')).toMatch(/step "0"/);
    expect(refusal('@fortnightly')).toMatch(/not a schedule macro/);
    expect(refusal('0 0 * * *', 'Mars/Olympus')).toMatch(/time zone "Mars\/Olympus" is not known/);
  });
});

describe('missedRuns', () => {
  const now = at('2026-03-10T12:00:30Z');

  it('an hourly job last scheduled an hour ago missed nothing; five hours ago, four runs', () => {
    expect(missedRuns({ schedule: '0 * * * *', since: new Date('2026-03-10T12:00:00Z') }, now).missed).toBe(0);
    const late = missedRuns({ schedule: '0 * * * *', since: new Date('2026-03-10T07:00:00Z') }, now);
    expect(late.missed).toBe(4);
    expect(new Date(late.firstDue!).toISOString()).toBe('2026-03-10T08:00:00.000Z');
  });

  it('a run within its startingDeadlineSeconds (plus a minute of grace) is not missed yet', () => {
    // The 12:00 run: 30 s late, within the minute of grace.
    expect(missedRuns({ schedule: '0 * * * *', since: new Date('2026-03-10T11:00:00Z') }, now).missed).toBe(0);
    // 10:00 and 11:00 runs are past; with a 2 h deadline neither is missed yet.
    expect(missedRuns({ schedule: '0 * * * *', since: new Date('2026-03-10T09:00:00Z'), startingDeadlineSeconds: 7_200 }, now).missed).toBe(0);
    // Without it, 10:00 and 11:00 are missed; 12:00 is 30 s late, within the grace.
    expect(missedRuns({ schedule: '0 * * * *', since: new Date('2026-03-10T09:00:00Z') }, now).missed).toBe(2);
  });

  it('stops counting past 100', () => {
    expect(missedRuns({ schedule: '* * * * *', since: new Date('2026-03-01T00:00:00Z') }, now).missed).toBe(101);
  });
});
