// `npm run reference`: rewrites README.md's reference of the kinds (between the generated:kinds
// markers) from the kind definitions. Run it after changing a kind; a test fails until then.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROBES } from '../src/probes/probe-registry.ts';
import { kindsReference, withReference } from '../src/probes/kinds-reference.ts';

const file = path.resolve(import.meta.dirname, '../README.md');
const before = readFileSync(file, 'utf8');
const after = withReference(before, kindsReference(PROBES));
if (after === before) {
  process.stdout.write('README.md: the kinds reference is up to date\n');
} else {
  writeFileSync(file, after);
  process.stdout.write('README.md: the kinds reference was rewritten from the kind definitions\n');
}
