// The markdown parser is loaded when a runbook is first shown: the commands, which every start of
// bin/chatops loads, do not bring it in. A process of its own, with a hook that records every
// module Node resolves.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

it('importing the commands does not load marked; showing a runbook does', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'markdown-lazy-'));
  const hook = path.join(dir, 'record-modules.mjs');
  const log = path.join(dir, 'modules.txt');
  writeFileSync(log, '');
  writeFileSync(hook, `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; } });
`);
  const script = path.join(dir, 'show.ts');
  writeFileSync(script, `
    import { readFileSync } from 'node:fs';
    await import(${JSON.stringify(path.join(ROOT, 'commands/index.ts'))});
    const { runbookMessage } = await import(${JSON.stringify(path.join(ROOT, 'src/runbooks/runbook-message.ts'))});
    const { UNLIMITED_BUDGET } = await import(${JSON.stringify(path.join(ROOT, 'src/message/budget.ts'))});
    const before = readFileSync(${JSON.stringify(log)}, 'utf8').includes('/node_modules/marked/');
    const message = runbookMessage({ id: 'x', title: 'X', summary: 's', severityHint: 'warn', symptoms: [], checks: [], remedies: [], evidence: [], manual: [], body: 'one\\ntwo', file: 'x.md' }, { budget: UNLIMITED_BUDGET });
    const after = readFileSync(${JSON.stringify(log)}, 'utf8').includes('/node_modules/marked/');
    console.log(JSON.stringify({ before, after, last: message.blocks.at(-1) }));
  `);
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [`--import=${hook}`, script], { cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
  expect(out.code, out.stderr).toBe(0);
  expect(JSON.parse(out.stdout)).toEqual({ before: false, after: true, last: { type: 'section', paragraphs: [{ type: 'line', spans: [{ type: 'text', text: 'one two' }] }] } });
  // The hook saw the imports: an empty record cannot pass for a light one.
  expect(readFileSync(log, 'utf8')).toContain('/commands/index.ts');
});
