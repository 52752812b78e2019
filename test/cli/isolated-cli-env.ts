// The environment every spawned CLI starts from: a data directory and a config file of its own,
// so no test reads or writes the checkout's .chatops or chatops.yml. A test's own values go after it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function isolatedCliEnv(): { PATH: string; HOME: string; CHATOPS_DATA_DIR: string; CHATOPS_CONFIG: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-run-'));
  const config = path.join(dir, 'chatops.yml');
  writeFileSync(config, 'targets: {}\n');
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CHATOPS_DATA_DIR: path.join(dir, 'data'), CHATOPS_CONFIG: config };
}
