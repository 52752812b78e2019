// `node bench/import-cost-child.ts SPEC...`: imports each specifier in turn (a package name, or a
// .ts file relative to the project root) and prints one JSON line: the process start-up before the
// first import, then each import's time and RSS growth on top of what the ones before it loaded.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const steps: { spec: string; ms: number; rssMiB: number }[] = [];
let t = performance.now();
let rss = process.memoryUsage().rss;
steps.push({ spec: '(node start-up)', ms: t, rssMiB: rss / 1048576 });
for (const spec of process.argv.slice(2)) {
  await import(spec.endsWith('.ts') ? pathToFileURL(path.join(root, spec)).href : spec);
  const t2 = performance.now();
  const rss2 = process.memoryUsage().rss;
  steps.push({ spec, ms: t2 - t, rssMiB: (rss2 - rss) / 1048576 });
  t = t2;
  rss = rss2;
}
process.stdout.write(`${JSON.stringify({ steps, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
