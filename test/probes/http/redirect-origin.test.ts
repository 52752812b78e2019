// Redirects and the target's headers: a redirect to another origin (another local server, another
// port) is reported, never followed, so the second server never sees the configured secret
// headers; a redirect within the origin is followed with them. Both request paths (fetch, and
// node:https for tlsInsecure) behave alike. Prometheus (the JSON-API client) too.
import { describe, expect, it } from 'vitest';
import { httpKind } from '../../../src/probes/http/http-kind.ts';
import { prometheusKind } from '../../../src/probes/prometheus/prometheus-kind.ts';
import { selfSignedCertificate, useFakeHttpServers, type FakeHttpServer } from './fake-http-services.ts';
import { findingOf, runKind } from './probe-helpers.ts';
import { recordSecrets } from '../../support/suite-recording.ts';

const API_KEY = 'ak-7Hq2mZ9xW4vB1nK8';
const TOKEN = 'tok-Jd83hf7Gk2Lq0Pz5';
const HEADERS = { 'X-Api-Key': API_KEY, 'X-Internal-Token': TOKEN, Authorization: `Bearer ${TOKEN}` };
recordSecrets('test/probes/http/redirect-origin.test.ts', [API_KEY, TOKEN]);

const serve = useFakeHttpServers();

function expectNoSecretHeaders(s: FakeHttpServer): void {
  for (const r of s.requests) {
    const sent = JSON.stringify(r.headers);
    expect(sent).not.toContain(API_KEY);
    expect(sent).not.toContain(TOKEN);
  }
}

describe('http probe: redirects never carry the target\'s headers to another origin', () => {
  it('reports a redirect to another origin (another port) as a finding and does not follow it', async () => {
    const other = await serve({ '/landing': { body: 'ok' } });
    const target = await serve({ '/health': { status: 302, headers: { location: `${other.url}/landing?session=${TOKEN}` }, body: `moved, key ${API_KEY}` } });
    const findings = await runKind(httpKind, { url: `${target.url}/health`, headers: HEADERS, bodyMatch: 'ok' });

    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.headers['x-api-key']).toBe(API_KEY);
    expect(other.requests).toHaveLength(0);
    const status = findingOf(findings, 'http.status');
    expect(status.status).toBe('crit');
    expect(status.title).toBe(`HTTP 302 Found: redirects to another origin, ${other.url}/landing (not followed)`);
    expect(status.detail).toContain('never sent to another server');
    // The Location's query (a session token) is not shown, nor anything the server echoed.
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
    expect(JSON.stringify(findings)).not.toContain(API_KEY);
    expect(findings.map((f) => f.check)).not.toContain('http.body');
  });

  it('a redirect listed in expectStatus is the expected answer', async () => {
    const other = await serve({ '/login': { body: 'login page' } });
    const target = await serve({ '/': { status: 301, headers: { location: `${other.url}/login` } } });
    const findings = await runKind(httpKind, { url: `${target.url}/`, headers: HEADERS, expectStatus: [301] });
    expect(findingOf(findings, 'http.status')).toMatchObject({ status: 'ok', title: 'HTTP 301 Moved Permanently' });
    expect(other.requests).toHaveLength(0);
  });

  it('follows a redirect within the origin, with the headers, and says where it ended', async () => {
    const target = await serve({ '/old': { status: 307, headers: { location: '/health' } }, '/health': { body: 'ok' } });
    const findings = await runKind(httpKind, { url: `${target.url}/old`, headers: HEADERS });
    expect(findingOf(findings, 'http.status').status).toBe('ok');
    expect(findingOf(findings, 'http.reachable').title).toBe(`Reachable: redirected to ${target.url}/health`);
    expect(target.requests.map((r) => r.url)).toEqual(['/old', '/health']);
    expect(target.requests[1]!.headers['x-api-key']).toBe(API_KEY);
  });

  it('a same-origin hop that then leaves the origin stops there', async () => {
    const other = await serve({ '/': { body: 'elsewhere' } });
    const target = await serve({ '/a': { status: 302, headers: { location: '/b' } }, '/b': { status: 302, headers: { location: `${other.url}/` } } });
    const findings = await runKind(httpKind, { url: `${target.url}/a`, headers: HEADERS });
    expect(other.requests).toHaveLength(0);
    expect(findingOf(findings, 'http.status').title).toContain(`redirects to another origin, ${other.url}/`);
  });

  it('follows at most 5 redirects within the origin, then reports the last one', async () => {
    const target = await serve({ '/loop': { status: 302, headers: { location: '/loop' } } });
    const findings = await runKind(httpKind, { url: `${target.url}/loop`, headers: HEADERS });
    expect(target.requests).toHaveLength(6);
    expect(findingOf(findings, 'http.status').status).toBe('crit');
  });

  it('the same over https with tlsInsecure (node:https): another origin is not followed', async () => {
    const tls = await selfSignedCertificate(30);
    const other = await serve({ '/': { body: 'elsewhere' } }, tls);
    const target = await serve({ '/health': { status: 308, headers: { location: `${other.url}/` } } }, tls);
    const findings = await runKind(httpKind, { url: `${target.url}/health`, headers: HEADERS, tlsInsecure: true });
    expect(target.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
    expectNoSecretHeaders(other);
    expect(findingOf(findings, 'http.status').title).toContain(`redirects to another origin, ${other.url}/`);
  });

  it('prometheus: an API answering with a redirect to another origin is reported, not followed', async () => {
    const other = await serve({});
    const sso = { status: 302, headers: { location: `${other.url}/sso?token=${TOKEN}` } };
    const target = await serve(Object.fromEntries(['/-/healthy', '/api/v1/status/buildinfo', '/api/v1/targets', '/api/v1/alerts', '/api/v1/rules', '/api/v1/alertmanagers'].map((p) => [p, sso])));
    const findings = await runKind(prometheusKind, { url: target.url, headers: HEADERS });
    expect(other.requests).toHaveLength(0);
    expect(target.requests.length).toBeGreaterThan(0);
    expect(findingOf(findings, 'prometheus.reachable').title).toBe(`Not healthy: /-/healthy answered HTTP 302 Found: (a redirect to another origin, ${other.url}/sso, not followed)`);
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
    expect(JSON.stringify(findings)).not.toContain(API_KEY);
  });
});
