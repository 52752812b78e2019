// What a hostile or broken API server sends, run through the official client against the local API
// server: schedules, messages and names with line breaks, control characters, bidi overrides and
// kilobytes of text are shown on one line and cut; a cert-manager object of the wrong shape (a
// custom resource the server does not validate for us) is read as far as it goes, never crashing
// the run.
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeKubeError } from '../../../src/probes/kubernetes/describe-kube-error.ts';
import { kubeCertificate, kubeCronJob, kubeIngress, kubeJob } from '../../support/kube-objects.ts';
import { findingOf, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const run = (namespace: string) => runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: [namespace] } });
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

describe('objects from a hostile API server', () => {
  it('quotes schedules and messages on one line, cut; a certificate of the wrong shape is read as far as it goes', async () => {
    const job = kubeJob({ namespace: 'hostile', name: 'etl', outcome: 'Failed', finishedAgoS: 600 }) as { status: { conditions: Array<Record<string, unknown>> } };
    job.status.conditions[1]!.message = `line one\nline two\r\n\u0007\u202e${'y'.repeat(3000)}`;
    const cert = kubeCertificate({ namespace: 'hostile', name: 'odd', ready: false, reason: 'Failed', message: 'x' }) as { spec: Record<string, unknown>; status: { notAfter?: unknown; conditions: Array<Record<string, unknown> | null> } };
    cert.spec.dnsNames = 'not-a-list';
    cert.spec.secretName = 7;
    cert.status.notAfter = 'soon';
    cert.status.conditions.unshift(null);
    for (const c of cert.status.conditions) if (c?.type === 'Ready') c.message = 42;
    k.api.installCertManager();
    k.api.add(
      kubeCronJob({ namespace: 'hostile', name: 'bad', schedule: `0 * * * *\n*<!channel>*\u001b[31m ${'x'.repeat(5000)}`, lastScheduleAgoS: 3600 }),
      kubeCronJob({ namespace: 'hostile', name: 'zone', schedule: '0 * * * *', timeZone: `Mars/Olympus\n${'z'.repeat(5000)}`, lastScheduleAgoS: 3600 }),
      job,
      cert,
    );
    const findings = await run('hostile');
    for (const f of findings) {
      expect(f.title, f.title.slice(0, 80)).not.toMatch(UNSAFE);
      expect(f.title.length).toBeLessThan(500);
      for (const line of (f.detail ?? '').split('\n')) {
        expect(line).not.toMatch(UNSAFE);
        expect(line.length).toBeLessThan(600);
      }
    }
    // A schedule or zone the controller could not read either: unknown, quoted short.
    expect(findingOf(findings, 'cronjobs', 'cronjob/bad')).toMatchObject({ status: 'unknown' });
    expect(findingOf(findings, 'cronjobs', 'cronjob/zone')).toMatchObject({ status: 'unknown' });
    // One failed job, one detail line.
    const etl = findingOf(findings, 'jobs', 'job/etl');
    expect(etl.detail!.split('\n')).toHaveLength(1);
    expect(etl.detail).toContain('line one line two');
    // Ready=False still counts: crit, whatever else is malformed.
    const odd = findingOf(findings, 'certificates', 'certificate/odd');
    expect(odd.status).toBe('crit');
    expect(odd.title).toBe('certificate/odd in hostile: not Ready (Failed)');
  });

  it('an ingress with thousands of paths: the first hundred are judged, ten named, the rest counted', async () => {
    const rules = Array.from({ length: 3000 }, (_, i) => ({ host: 'flood.example', path: `/p${i}`, service: `gone-${i}`, port: 80 }));
    k.api.add(kubeIngress({ namespace: 'flood', name: 'huge', rules }));
    const f = findingOf(await run('flood'), 'ingresses', 'ingress/huge');
    expect(f.title).toBe('ingress/huge in flood: 100 backends broken, first flood.example/p0: service gone-0 not found');
    const lines = f.detail!.split('\n');
    expect(lines).toHaveLength(12);
    expect(lines.slice(-2)).toEqual(['… and 90 more', '2900 more backends not checked (only the first 100 are read)']);
  });

  it('an error body with line breaks, escapes and kilobytes is quoted on one line, cut', () => {
    const body = JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Boom\n<!here>', message: `first\nsecond\u001b[2J\u202e${'m'.repeat(5000)}`, code: 500 });
    const p = describeKubeError(new k8s.ApiException(500, 'HTTP-Code: 500', body, {}), { verb: 'list', resource: 'pods', namespace: 'prod' }, 3000, 'https://kube.example');
    expect(p.text).not.toMatch(UNSAFE);
    expect(p.text.length).toBeLessThan(450);
    expect(p.text).toMatch(/^list pods in namespace prod failed with HTTP 500 Boom <!here>: first secondm+…$/);
  });
});
