// `chatops runbooks check` on the shipped runbooks (CI fails when a runbook, a probe's new check or
// the guides' coverage table goes out of step) and on a copy broken in every way it reports.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRunbooks } from '../../src/runbooks/check-runbooks.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { isolatedCliEnv } from '../cli/isolated-cli-env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNBOOKS = path.join(ROOT, 'runbooks');
const BIN = path.join(ROOT, 'bin/chatops');
const SHIPPED = loadRunbooks(RUNBOOKS, allCheckIds()).all;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A copy of the shipped runbooks, with `edit` applied to the files it names. */
function brokenCopy(edit: Record<string, (text: string) => string>): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-runbooks-check-')), 'runbooks');
  cpSync(RUNBOOKS, dir, { recursive: true });
  for (const [name, change] of Object.entries(edit)) {
    const file = path.join(dir, name);
    let before = '';
    try {
      before = readFileSync(file, 'utf8');
    } catch {
      // A new file.
    }
    const after = change(before);
    if (after === before) throw new Error(`the edit of ${name} changed nothing`);
    writeFileSync(file, after);
  }
  return dir;
}

/** Replaces exactly one occurrence, so that an edit cannot silently miss. */
const once = (from: string, to: string) => (text: string) => {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" is not in the text exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
};

const thin = `---
id: thin
title: A runbook with too little in it
summary: Two symptoms only, and links that go nowhere.
severity_hint: info
symptoms: [it is slow, it is broken]
---
## Confirm
See [the locks runbook](postgres-lock.md), the [backups](./postgres-backups.md#fix) one, and the \`postgres-lock\` runbook.
An [outside page](https://example.com/x.md) is not ours to check.
`;

describe('runbooks check', { timeout: 120_000 }, () => {
  it('the shipped runbooks have no problem: every check explained, every guide section mapped to a runbook that exists', () => {
    const check = checkRunbooks(RUNBOOKS, allCheckIds());
    expect(check.problems).toEqual([]);
    expect(check.runbooks).toBeGreaterThanOrEqual(30);
    // The five guides' tables: one row per troubleshooting section, and the rows left out.
    expect(check.coverageRows).toBeGreaterThanOrEqual(60);
  });

  it('every shipped runbook has at least 6 symptoms, and evidence or manual steps where the guides go beyond its checks', () => {
    const thinOnes = SHIPPED.filter((rb) => rb.symptoms.length < 6).map((rb) => rb.id);
    expect(thinOnes).toEqual([]);
    const withNeither = SHIPPED.filter((rb) => rb.manual.length === 0 && rb.evidence.length === rb.checks.length).map((rb) => rb.id);
    expect(withNeither).toEqual([]);
  });

  it('reports every problem of a broken copy at once, naming the file, the bad value and what is accepted', () => {
    const dir = brokenCopy({
      'thin.md': () => thin,
      // The loader's refusals: an unknown check id (the file's other checks still count as explained;
      // the one it meant is not).
      'postgres-locks.md': once('  - postgres.long_transactions\n', '  - postgres.long_transaction\n'),
      'k8s-jobs.md': once('  - k8s.cronjobs\n', '  - k8s.cronjobs\nevidence:\n  - { check: k8s.jobz, confirms: crit }\n'),
      // A check claimed twice.
      'redis-memory-pressure.md': once('  - redis.doctor\n', '  - redis.doctor\n  - redis.hit_rate\n'),
      // A check no runbook explains any more.
      'stripe-webhook-endpoint-disabled.md': once('checks:\n  - stripe.webhook_endpoints\n', 'checks: []\n'),
      // The coverage table: a link to a file that does not exist, a row mapped to nothing without a reason.
      'README.md': (text) =>
        once('[alert-fatigue](alert-fatigue.md)', '[alert-fatigue](alert-fatigues.md)')(
          once('| 3.3 Data Corruption | — | **left out**: integrity', '| 3.3 Data Corruption | — | later: integrity')(
            once('| [redis-low-hit-rate](redis-low-hit-rate.md) |', '| [redis-low-hit-rate](redis-memory-pressure.md) |')(text),
          ),
        ),
    });
    const check = checkRunbooks(dir, allCheckIds());
    const at = (name: string) => path.join(dir, name);
    expect(check.problems).toEqual([
      { file: at('k8s-jobs.md'), problem: expect.stringMatching(/^evidence\.0: unknown check id "k8s\.jobz"; known: .*k8s\.jobs/) },
      { file: at('postgres-locks.md'), problem: expect.stringMatching(/^unknown check id "postgres\.long_transaction"; known: .*postgres\.long_transactions/) },
      { file: at('redis-memory-pressure.md'), problem: 'checks: redis.hit_rate is already explained by runbook redis-low-hit-rate; a check links to one runbook (list it under evidence: instead)' },
      { file: at('thin.md'), problem: 'symptoms: 2 given, at least 3 needed: the ways people type the problem ("too many clients already", "db slow")' },
      { file: at('thin.md'), problem: expect.stringMatching(/^link \[the locks runbook\]\(postgres-lock\.md\) points at postgres-lock\.md, which does not exist; runbooks: ai-provider-keys, /) },
      { file: at('thin.md'), problem: expect.stringMatching(/^names the `postgres-lock` runbook, which does not exist; runbooks: ai-provider-keys, /) },
      { file: dir, problem: expect.stringMatching(/^check postgres\.long_transactions is explained by no runbook: /) },
      { file: dir, problem: expect.stringMatching(/^check stripe\.webhook_endpoints is explained by no runbook: add it to the checks: of the runbook for its problem \(runbooks: /) },
      { file: at('README.md'), problem: expect.stringMatching(/^Technical troubleshooting comprehensive guide › 3\.3 Data Corruption: maps to no runbook; link one \(\[id\]\(id\.md\)\), or write \*\*left out\*\*: and the reason/) },
      { file: at('README.md'), problem: expect.stringMatching(/^AI Platform deployment troubleshooting guide › 5\. Monitoring Issues › Alert Fatigue: runbook link \[alert-fatigue\]\(alert-fatigues\.md\) names no runbook file of /) },
      { file: at('README.md'), problem: 'General API, cache and database troubleshooting guide › Cache Issues › 1. Low Cache Hit Rate: the link [redis-low-hit-rate](redis-memory-pressure.md) reads "redis-low-hit-rate" but opens redis-memory-pressure; write [redis-memory-pressure](redis-memory-pressure.md)' },
      { file: at('README.md'), problem: expect.stringMatching(/^runbook alert-fatigue is linked nowhere in the README: /) },
      { file: at('README.md'), problem: 'runbook thin is linked nowhere in the README: put [thin](thin.md) in the coverage row of the guide section it covers, or among the runbooks no guide asked for' },
    ]);
    expect(check.runbooks).toBe(SHIPPED.length - 1); // the two refused, thin.md added
  });

  it('a README link outside the tables that goes nowhere is reported (and the runbook it meant is linked nowhere); a directory without a README has no coverage to check', () => {
    const dir = brokenCopy({ 'README.md': once('[k8s-jobs](k8s-jobs.md)', '[k8s-jobs](k8s-job.md)') });
    expect(checkRunbooks(dir, allCheckIds()).problems).toEqual([
      { file: path.join(dir, 'README.md'), problem: expect.stringMatching(/^link \[k8s-jobs\]\(k8s-job\.md\) points at k8s-job\.md, which does not exist; runbooks: /) },
      { file: path.join(dir, 'README.md'), problem: expect.stringMatching(/^runbook k8s-jobs is linked nowhere in the README: /) },
    ]);
    const bare = brokenCopy({ 'README.md': () => '# Our runbooks\n' });
    expect(checkRunbooks(bare, allCheckIds())).toMatchObject({ problems: [], coverageRows: 0 });
  });

  it('bin/chatops runbooks check: 0 on the shipped runbooks, 1 with one problem per line, 3 on a usage error', async () => {
    const clean = await chatops(['runbooks', 'check']);
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(clean.stdout).toMatch(/^\S*runbooks: \d+ runbooks, \d+ coverage rows, no problems\n$/);

    const dir = brokenCopy({ 'thin.md': () => thin.replace(/See .*\n/, ''), 'README.md': once('[k8s-jobs](k8s-jobs.md) and', '[k8s-jobs](k8s-jobs.md), [thin](thin.md) and') });
    const config = path.join(path.dirname(dir), 'chatops.yml');
    writeFileSync(config, `runbooks:\n  dir: ${dir}\n`);
    const broken = await chatops(['runbooks', 'check', '--config', config]);
    expect(broken).toMatchObject({ code: 1, stderr: `chatops: ${dir}: 1 problem\n` });
    expect(broken.stdout).toBe(`${path.join(dir, 'thin.md')}: symptoms: 2 given, at least 3 needed: the ways people type the problem ("too many clients already", "db slow")\n`);
    const json = await chatops(['runbooks', 'check', '--json'], { CHATOPS_CONFIG: config });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ dir, problems: [{ file: path.join(dir, 'thin.md'), problem: expect.stringMatching(/^symptoms: 2 given/) }] });

    expect(await chatops(['runbooks'])).toMatchObject({ code: 3, stderr: 'chatops: runbooks takes one subcommand, check; got none\n' });
    expect(await chatops(['runbooks', 'check', '--jsn'])).toMatchObject({ code: 3, stderr: expect.stringMatching(/Unknown option '--jsn'.*see 'chatops runbooks --help'/) });
    writeFileSync(config, 'runbooks:\n  dir: /no/such/runbooks\n');
    expect(await chatops(['runbooks', 'check', '--config', config])).toMatchObject({ code: 3, stderr: 'chatops: cannot read the runbooks directory /no/such/runbooks; set runbooks.dir in chatops.yml or pass --config FILE\n' });
    const help = await chatops(['runbooks', '--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: chatops runbooks check [--config FILE] [--json]') });
    expect((await chatops(['--help'])).stdout).toContain('runbooks check');
  });
});
