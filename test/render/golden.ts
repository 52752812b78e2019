// Golden files: `UPDATE_GOLDEN=1 npx vitest run test/render` rewrites them; otherwise a
// difference fails the test.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

const DIR = path.join(import.meta.dirname, 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = path.join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/render`);
  expect(actual, `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}
