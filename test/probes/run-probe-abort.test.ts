// A caller's abort (a /triage budget running out) ends a probe run: the report comes with what the
// kind saw, or a finding saying it was stopped, long before the target's own time limit.
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { runProbe } from '../../src/probes/run-probe.ts';

const sockets = new Set<import('node:net').Socket>();
// Takes the request and never answers.
const server = http.createServer(() => undefined);
server.on('connection', (s) => sockets.add(s));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('runProbe and the caller\'s abort', () => {
  it('a target with a 60 s timeout on a server that never answers: the caller\'s abort ends the run, nothing claims ok', { timeout: 20_000 }, async () => {
    const { port } = server.address() as import('node:net').AddressInfo;
    const [target] = parseConfig({ targets: { stuck: { kind: 'http', url: `http://127.0.0.1:${port}/health`, timeoutMs: 60_000 } } }, 'test.yml', {}).targets;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('budget spent')), 300);
    const report = await runProbe(target!, { log: silentLogger(), signal: controller.signal });
    expect(report.status).not.toBe('ok');
    expect(report.findings.every((f) => f.status !== 'ok')).toBe(true);
  });
});
