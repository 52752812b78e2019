// README.md's reference of the kinds (keys, checks, default thresholds, buttons, trend metrics) is
// written from the kind definitions; a change to a kind without `npm run reference` fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindsReference, REFERENCE_END, REFERENCE_START, withReference } from '../src/probes/kinds-reference.ts';
import { PROBES } from '../src/probes/probe-registry.ts';

const README = path.resolve(import.meta.dirname, '../README.md');

describe('the README reference of the kinds', () => {
  it('is what the kind definitions say', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(REFERENCE_START);
    const end = readme.indexOf(REFERENCE_END);
    expect(start, `README.md needs the ${REFERENCE_START} and ${REFERENCE_END} markers`).toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + REFERENCE_END.length);
    expect(current, 'README.md differs from the kind definitions: run `npm run reference`').toBe(kindsReference(PROBES));
  });

  it('names every kind with its aliases and every check with its default thresholds and unit', () => {
    const reference = kindsReference(PROBES);
    for (const k of PROBES) {
      expect(reference).toContain(`#### \`${k.kind}\``);
      for (const alias of k.aliases) expect(reference).toContain(`\`${alias}\``);
      for (const c of k.checks) expect(reference).toContain(`| \`${c.name}\` |`);
      for (const a of k.actions) expect(reference).toContain(`(\`${a.id}\`)`);
    }
    expect(reference).toContain('| `connections` | Client backends against max_connections minus reserved slots, by state, application and database. | 80 / 95 % |');
    expect(reference).toContain('| `readiness` | Running containers not ready for a while, with the newest Unhealthy / ProbeError event. | 60 / — s not ready (warn only by default) |');
    expect(reference).toContain('| Logs (`k8s.logs`) | `namespace`, `pod`, `container`, `previous` | no |');
  });

  it('replaces only the text between the markers', () => {
    const readme = `# x\nbefore\n${REFERENCE_START}\nold table\n${REFERENCE_END}\nafter\n`;
    expect(withReference(readme, `${REFERENCE_START}\nnew\n${REFERENCE_END}`)).toBe(`# x\nbefore\n${REFERENCE_START}\nnew\n${REFERENCE_END}\nafter\n`);
    expect(() => withReference('# no markers', 'x')).toThrow(/README.md has no <!-- generated:kinds:start -->/);
  });
});
