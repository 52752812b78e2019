// The checks beyond pods, each run through the official client against the local API server:
// services without ready endpoints, broken ingress backends, volume claims, autoscalers, jobs,
// cronjobs, disruption budgets and cert-manager certificates. Every finding names only the objects
// at fault; a healthy namespace gets one ok finding per check.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/report.ts';
import { PAGE_SIZE } from '../../../src/probes/kubernetes/collect-cluster.ts';
import {
  kubeCertificate, kubeCronJob, kubeEndpointSlice, kubeEvent, kubeHpa, kubeIngress, kubeJob, kubePdb, kubePod, kubePvc, kubeService, kubeStorageClass,
} from '../../support/kube-objects.ts';
import { findingOf, findingsOf, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const NEW_CHECKS = ['services', 'ingresses', 'volumes', 'hpa', 'jobs', 'cronjobs', 'pdb', 'certificates'];
const text = (fs: Finding[]) => fs.map((f) => `${f.status} ${f.title}\n${f.detail ?? ''}`).join('\n');
const run = (namespace: string, extra: Record<string, unknown> = {}) => runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: [namespace], ...extra } });

describe('k8s.services and k8s.ingresses', () => {
  it('a service with no ready endpoint warns, crit when an ingress routes to it; broken backends are named', async () => {
    k.api.add(
      kubeService({ namespace: 'svc', name: 'api', ports: [{ name: 'http', port: 80 }] }),
      kubeEndpointSlice({ namespace: 'svc', service: 'api', ready: 2 }),
      kubeService({ namespace: 'svc', name: 'orders' }),
      kubeEndpointSlice({ namespace: 'svc', service: 'orders', ready: 0, notReady: 2 }),
      kubeService({ namespace: 'svc', name: 'checkout' }),
      kubeEndpointSlice({ namespace: 'svc', service: 'checkout', ready: 0 }),
      // Endpoints managed by hand, and a DNS alias: neither is judged.
      kubeService({ namespace: 'svc', name: 'legacy-db', selectorless: true, ports: [{ port: 5432 }] }),
      kubeService({ namespace: 'svc', name: 'ext', type: 'ExternalName', externalName: 'db.example.com' }),
      kubeIngress({ namespace: 'svc', name: 'web', rules: [{ host: 'www.example.com', service: 'api', port: 80 }, { host: 'www.example.com', path: '/api', service: 'api', port: 'http' }] }),
      kubeIngress({
        namespace: 'svc',
        name: 'shop',
        defaultBackend: { service: 'api', port: 80 },
        rules: [
          { host: 'shop.example.com', path: '/', service: 'checkout', port: 80 },
          { host: 'shop.example.com', path: '/v2', service: 'checkout-v2', port: 80 },
          { host: 'shop.example.com', path: '/admin', service: 'api', port: 'grpc' },
          { host: 'shop.example.com', path: '/ext', service: 'ext', port: 443 },
        ],
      }),
    );
    const findings = await run('svc');
    const services = findingsOf(findings, 'services');
    expect(services.map((f) => `${f.status} ${f.title}`)).toEqual([
      'crit service/checkout in svc: no ready endpoint (routed by ingress/shop: its requests fail)',
      'warn service/orders in svc: no ready endpoint',
    ]);
    expect(services[0]!.detail).toContain('kubectl get pods -n svc -l app=checkout');
    expect(services[0]!.fix).toContain('app=checkout');
    const ingresses = findingsOf(findings, 'ingresses');
    expect(ingresses).toHaveLength(1);
    expect(ingresses[0]).toMatchObject({ status: 'warn', title: 'ingress/shop in svc: 2 backends broken, first shop.example.com/v2: service checkout-v2 not found' });
    expect(ingresses[0]!.detail).toBe('shop.example.com/v2: service checkout-v2 not found\nshop.example.com/admin: service api has no port named "grpc" (its ports: 80 (http))');
    expect(text(findings)).not.toMatch(/legacy-db|service\/ext|ingress\/web|service\/api /);
  });

  it('all healthy: one ok finding each', async () => {
    k.api.add(
      kubeService({ namespace: 'svc-ok', name: 'api' }),
      kubeEndpointSlice({ namespace: 'svc-ok', service: 'api', ready: 1, notReady: 1, suffix: 'a1' }),
      kubeEndpointSlice({ namespace: 'svc-ok', service: 'api', ready: 0, suffix: 'b2' }),
      kubeIngress({ namespace: 'svc-ok', name: 'web', rules: [{ service: 'api', port: 'http' }] }),
    );
    const findings = await run('svc-ok');
    expect(findingsOf(findings, 'services')).toEqual([expect.objectContaining({ status: 'ok', title: 'All 1 services with a selector have ready endpoints' })]);
    expect(findingsOf(findings, 'ingresses')).toEqual([expect.objectContaining({ status: 'ok', title: 'All 1 ingresses route to existing services and ports' })]);
  });
});

describe('k8s.volumes', () => {
  beforeAll(() => {
    k.api.add(
      kubeStorageClass({ name: 'standard', isDefault: true }),
      kubeStorageClass({ name: 'local-wffc', bindingMode: 'WaitForFirstConsumer', provisioner: 'rancher.io/local-path' }),
      kubePvc({ namespace: 'vol', name: 'stuck', phase: 'Pending', createdAgoS: 10 * 60 }),
      kubePvc({ namespace: 'vol', name: 'very-stuck', phase: 'Pending', storageClass: null, createdAgoS: 45 * 60 }),
      kubeEvent({ namespace: 'vol', reason: 'ProvisioningFailed', message: 'failed to provision volume with StorageClass "standard": rpc error: code = ResourceExhausted desc = quota exceeded', involved: { kind: 'PersistentVolumeClaim', name: 'very-stuck' } }),
      kubePvc({ namespace: 'vol', name: 'fresh', phase: 'Pending', createdAgoS: 120 }),
      kubePvc({ namespace: 'vol', name: 'wffc-idle', phase: 'Pending', storageClass: 'local-wffc', createdAgoS: 7_200 }),
      kubePvc({ namespace: 'vol', name: 'wffc-used', phase: 'Pending', storageClass: 'local-wffc', createdAgoS: 40 * 60 }),
      kubePod({ namespace: 'vol', name: 'db-0', phase: 'Pending', unschedulable: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 node(s) didn\'t match Pod\'s node affinity/selector.' }, claims: ['wffc-used'] }),
      kubePvc({ namespace: 'vol', name: 'gone', phase: 'Lost' }),
    );
    k.api.add(
      kubePvc({ namespace: 'vol-full', name: 'data', size: '10Gi' }),
      kubePvc({ namespace: 'vol-full', name: 'logs', size: '10Gi' }),
      kubePvc({ namespace: 'vol-full', name: 'spare' }),
      kubePod({ namespace: 'vol-full', name: 'db-0', nodeName: 'node-1', claims: ['data'] }),
      kubePod({ namespace: 'vol-full', name: 'shipper', nodeName: 'node-2', claims: ['logs'] }),
    );
    k.api.add({ kind: 'Node', metadata: { name: 'node-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { kind: 'Node', metadata: { name: 'node-2' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    const gi = 1024 ** 3;
    k.api.setVolumeStats('vol-full', 'data', { usedBytes: 9.5 * gi, capacityBytes: 10 * gi });
    k.api.setVolumeStats('vol-full', 'logs', { usedBytes: 5 * gi, capacityBytes: 10 * gi });
  });

  it('claims pending too long warn then crit, with the provisioner\'s words; an unused WaitForFirstConsumer claim is fine', async () => {
    const findings = await run('vol');
    const volumes = findingsOf(findings, 'volumes');
    expect(volumes.map((f) => `${f.status} ${f.title}`).sort()).toEqual([
      'crit persistentvolumeclaim/gone in vol: Lost (its persistent volume is gone)',
      'crit persistentvolumeclaim/very-stuck in vol: Pending for 45 min (ProvisioningFailed)',
      'crit persistentvolumeclaim/wffc-used in vol: Pending for 40 min',
      'warn persistentvolumeclaim/stuck in vol: Pending for 10 min',
    ]);
    const veryStuck = volumes.find((f) => f.title.includes('very-stuck'))!;
    expect(veryStuck.detail).toContain('storage class standard (Immediate)');
    expect(veryStuck.detail).toContain('quota exceeded');
    expect(volumes.find((f) => f.title.includes('wffc-used'))!.detail).toContain('storage class local-wffc (WaitForFirstConsumer)');
  });

  it('a mounted claim nearly full warns or is crit when the kubelet\'s stats are readable; thresholds are the target\'s', async () => {
    k.api.requests.length = 0;
    const findings = await run('vol-full');
    expect(findingsOf(findings, 'volumes').map((f) => `${f.status} ${f.title}`)).toEqual(['crit persistentvolumeclaim/data in vol-full: 95% full (9.5 GB of 10.0 GB)']);
    expect(findingOf(findings, 'volumes').metrics).toMatchObject({ used_pct: 95 });
    const stats = k.api.requests.filter((r) => r.path.includes('/proxy/'));
    expect(stats.map((r) => r.path).sort()).toEqual(['/api/v1/nodes/node-1/proxy/stats%2Fsummary', '/api/v1/nodes/node-2/proxy/stats%2Fsummary']);

    const stricter = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['vol-full'], volumeFullPct: { warn: 40, crit: 96 } } });
    expect(findingsOf(stricter, 'volumes').map((f) => `${f.status} ${f.title}`).sort()).toEqual([
      'warn persistentvolumeclaim/data in vol-full: 95% full (9.5 GB of 10.0 GB)',
      'warn persistentvolumeclaim/logs in vol-full: 50% full (5.0 GB of 10.0 GB)',
    ]);
  });

  it('stats not readable: nothing false, the detail says fullness was not readable; minutes are overridable', async () => {
    k.api.deny('get', 'nodes/proxy');
    try {
      const findings = await run('vol-full');
      const only = findingsOf(findings, 'volumes');
      expect(only).toHaveLength(1);
      expect(only[0]).toMatchObject({ status: 'ok' });
      // The ok does not claim what it could not see.
      expect(only[0]!.title).toMatch(/^No volume claim pending longer than 5 min or lost; fullness not read \(\d+ claims/);
      expect(only[0]!.detail).toMatch(/^fullness of 2 mounted claims not readable: forbidden: the bot may not get nodes\/proxy/);
      expect(findingOf(findings, 'api').status).toBe('ok');
      // No claim mounted: nothing to say about fullness.
      const quiet = await run('vol');
      expect(text(findingsOf(quiet, 'volumes'))).not.toContain('not readable');
      const strict = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['vol'] }, thresholds: { volumes: { warn: 1, crit: 2 } } });
      expect(findingOf(strict, 'volumes', 'fresh').status).toBe('crit');
    } finally {
      k.api.clearDenials();
    }
  });
});

describe('k8s.hpa and k8s.pdb', () => {
  it('an autoscaler held at its maximum or blind to its metrics warns; at its minimum is healthy', async () => {
    k.api.add(
      kubeHpa({ namespace: 'scale', name: 'web', min: 2, max: 10, current: 10, limitedAtMax: true }),
      kubeHpa({ namespace: 'scale', name: 'worker', min: 1, max: 5, current: 3, metricsFailing: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API' }),
      kubeHpa({ namespace: 'scale', name: 'idle', min: 2, max: 8, current: 2 }),
      kubeHpa({ namespace: 'scale', name: 'mid', min: 2, max: 8, current: 5 }),
      kubePdb({ namespace: 'scale', name: 'api', minAvailable: 3, expectedPods: 3, currentHealthy: 3, disruptionsAllowed: 0 }),
      kubePdb({ namespace: 'scale', name: 'db', minAvailable: 2, expectedPods: 3, currentHealthy: 3, disruptionsAllowed: 1 }),
      kubePdb({ namespace: 'scale', name: 'degraded', maxUnavailable: 1, expectedPods: 3, currentHealthy: 2, disruptionsAllowed: 0 }),
    );
    const findings = await run('scale');
    expect(findingsOf(findings, 'hpa').map((f) => `${f.status} ${f.title}`).sort()).toEqual([
      'warn horizontalpodautoscaler/web in scale: at its maximum of 10 replicas (ScalingLimited: TooManyReplicas)',
      'warn horizontalpodautoscaler/worker in scale: cannot compute its metrics (FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API)',
    ]);
    expect(findingsOf(findings, 'pdb').map((f) => `${f.status} ${f.title}`)).toEqual([
      'warn poddisruptionbudget/api in scale: 0 disruptions allowed with all 3 pods healthy (minAvailable 3): it blocks every eviction',
    ]);
  });

  it('healthy autoscalers and budgets: ok', async () => {
    k.api.add(kubeHpa({ namespace: 'scale-ok', name: 'idle', min: 2, max: 8, current: 2 }), kubePdb({ namespace: 'scale-ok', name: 'db', maxUnavailable: 1, expectedPods: 3, currentHealthy: 3, disruptionsAllowed: 1 }));
    const findings = await run('scale-ok');
    expect(findingOf(findings, 'hpa')).toMatchObject({ status: 'ok', title: 'All 1 autoscalers compute their metrics and have room to scale' });
    expect(findingOf(findings, 'pdb')).toMatchObject({ status: 'ok', title: 'No disruption budget blocks evictions (1 budgets)' });
  });
});

describe('k8s.jobs and k8s.cronjobs', () => {
  it('failed jobs of the last day warn unless a later run of the same cronjob succeeded; a cronjob that missed its schedule warns', async () => {
    const h = 3600;
    k.api.add(
      // report: failed 2 h ago, then succeeded 1 h ago: superseded.
      kubeJob({ namespace: 'batch', name: 'report-1', outcome: 'Failed', finishedAgoS: 2 * h, cronJob: 'report' }),
      kubeJob({ namespace: 'batch', name: 'report-2', outcome: 'Complete', finishedAgoS: h, cronJob: 'report' }),
      // backup: succeeded 5 h ago, failed 3 h ago: the failure stands.
      kubeJob({ namespace: 'batch', name: 'backup-0', outcome: 'Complete', finishedAgoS: 5 * h, cronJob: 'backup' }),
      kubeJob({ namespace: 'batch', name: 'backup-1', outcome: 'Failed', finishedAgoS: 3 * h, cronJob: 'backup' }),
      kubeJob({ namespace: 'batch', name: 'migrate', outcome: 'Failed', finishedAgoS: 30 * h }),
      kubeJob({ namespace: 'batch', name: 'oneoff', outcome: 'Failed', finishedAgoS: 600 }),
      kubeJob({ namespace: 'batch', name: 'reindex', outcome: 'Running' }),
      kubeCronJob({ namespace: 'batch', name: 'report', schedule: '*/20 * * * *', lastScheduleAgoS: 10 * 60, lastSuccessAgoS: h }),
      kubeCronJob({ namespace: 'batch', name: 'backup', schedule: '0 * * * *', lastScheduleAgoS: 5 * h + 60 }),
      kubeCronJob({ namespace: 'batch', name: 'paused', schedule: '@hourly', suspend: true, lastScheduleAgoS: 10 * 24 * h }),
      kubeCronJob({ namespace: 'batch', name: 'nightly', schedule: '@daily', timeZone: 'Europe/Berlin', lastScheduleAgoS: 20 * h }),
      kubeCronJob({ namespace: 'batch', name: 'tolerant', schedule: '*/10 * * * *', lastScheduleAgoS: 25 * 60, startingDeadlineSeconds: 3600 }),
      kubeCronJob({ namespace: 'batch', name: 'stuck', schedule: '*/5 * * * *', lastScheduleAgoS: 2 * h, concurrencyPolicy: 'Forbid', activeJobs: ['stuck-28000000'] }),
      kubeCronJob({ namespace: 'batch', name: 'newborn', schedule: '0 3 * * *', createdAgoS: 600 }),
    );
    const findings = await run('batch');
    const jobs = findingsOf(findings, 'jobs');
    expect(jobs.map((f) => f.status)).toEqual(['warn', 'warn']);
    expect(jobs.map((f) => f.title).sort()).toEqual([
      'job/backup-1 in batch: failed 3 h ago, BackoffLimitExceeded (cronjob/backup)',
      'job/oneoff in batch: failed 10 min ago, BackoffLimitExceeded',
    ]);
    expect(text(jobs)).not.toMatch(/report|migrate|reindex/);
    expect(jobs.find((f) => f.title.includes('backup'))!.fix).toContain('kubectl create job --from=cronjob/backup backup-manual -n batch');

    const cron = findingsOf(findings, 'cronjobs');
    expect(cron.map((f) => f.title.split(':')[0]).sort()).toEqual(['cronjob/backup in batch', 'cronjob/stuck in batch']);
    const backup = cron.find((f) => f.title.includes('backup'))!;
    expect(backup.status).toBe('warn');
    expect(backup.title).toMatch(/^cronjob\/backup in batch: missed [45] runs of "0 \* \* \* \*", last scheduled 5 h 1 min ago$/);
    expect(backup.metrics!.missed_runs).toBeGreaterThanOrEqual(4);
    expect(cron.find((f) => f.title.includes('stuck'))!.detail).toContain('concurrencyPolicy Forbid skips the runs due meanwhile');
  });

  it('nothing failed, everything on time: ok; a cronjob whose schedule is late only by its startingDeadlineSeconds is not', async () => {
    k.api.add(
      kubeJob({ namespace: 'batch-ok', name: 'sync-1', outcome: 'Complete', cronJob: 'sync' }),
      kubeCronJob({ namespace: 'batch-ok', name: 'sync', schedule: '@hourly', lastScheduleAgoS: 30 * 60 }),
      kubeCronJob({ namespace: 'batch-ok', name: 'weekly', schedule: '0 6 * * MON', timeZone: 'America/New_York', lastScheduleAgoS: 3 * 86_400 }),
    );
    const findings = await run('batch-ok');
    expect(findingOf(findings, 'jobs')).toMatchObject({ status: 'ok', title: 'No job failed in the last 1 d' });
    expect(findingOf(findings, 'cronjobs')).toMatchObject({ status: 'ok', title: 'All 2 active cronjobs ran on schedule (0 suspended)' });
  });
});

describe('k8s.cronjobs: a schedule the bot cannot read', () => {
  it('is unknown for that cronjob, naming the schedule and why; the others are still judged', async () => {
    k.api.add(
      kubeCronJob({ namespace: 'batch-odd', name: 'odd', schedule: '0 0 * * *', timeZone: 'Mars/Olympus', lastScheduleAgoS: 60 }),
      kubeCronJob({ namespace: 'batch-odd', name: 'late', schedule: '*/30 * * * *', lastScheduleAgoS: 3 * 3600 }),
    );
    const cron = findingsOf(await run('batch-odd'), 'cronjobs');
    expect(cron.map((f) => `${f.status} ${f.title.split(':')[0]}`)).toEqual(['warn cronjob/late in batch-odd', 'unknown cronjob/odd in batch-odd']);
    expect(cron[1]!.title).toBe('cronjob/odd in batch-odd: schedule "0 0 * * *" could not be read (time zone "Mars/Olympus" is not known (an IANA name like Europe/Berlin is expected))');
  });
});

describe('k8s.certificates', () => {
  it('cert-manager not installed: an ok finding saying so, and no API warning', async () => {
    k.api.add(kubeService({ namespace: 'no-cm', name: 'api' }), kubeEndpointSlice({ namespace: 'no-cm', service: 'api', ready: 1 }));
    const findings = await run('no-cm');
    expect(findingOf(findings, 'certificates')).toMatchObject({ status: 'ok', title: 'cert-manager not installed (no cert-manager.io/v1 API on the server): no Certificates to check' });
    expect(findingsOf(findings, 'api').map((f) => f.status)).toEqual(['ok']);
    for (const check of NEW_CHECKS) expect(findingOf(findings, check).status, check).toBe('ok');
  });

  it('not Ready is crit (warn while an issuance is young); expiring within 14 days warns, within 3 days is crit', async () => {
    k.api.installCertManager();
    try {
      const d = 86_400;
      k.api.add(
        kubeCertificate({ namespace: 'tls', name: 'shop', ready: true, expiresInS: 60 * d }),
        kubeCertificate({ namespace: 'tls', name: 'api', ready: true, expiresInS: 10 * d + 600 }),
        kubeCertificate({ namespace: 'tls', name: 'admin', ready: true, expiresInS: d }),
        kubeCertificate({ namespace: 'tls', name: 'fresh', ready: false, issuingForS: 180 }),
        kubeCertificate({ namespace: 'tls', name: 'broken', ready: false, reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: Failed to wait for order resource "broken-1-123" to become ready: order is in "errored" state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited', issuingForS: 2 * 3600 }),
        kubeCertificate({ namespace: 'tls', name: 'old', ready: false, reason: 'Expired', message: 'Certificate expired on Sun, 08 Mar 2026 00:00:00 UTC', expiresInS: -2 * d }),
      );
      const findings = await run('tls');
      const certs = findingsOf(findings, 'certificates');
      expect(certs.map((f) => `${f.status} ${f.title.split(':')[0]}`).sort()).toEqual([
        'crit certificate/admin in tls',
        'crit certificate/broken in tls',
        'crit certificate/old in tls',
        'warn certificate/api in tls',
        'warn certificate/fresh in tls',
      ]);
      expect(certs.find((f) => f.title.includes('api'))!.title).toBe('certificate/api in tls: expires in 10 d');
      expect(certs.find((f) => f.title.includes('fresh'))!.title).toBe('certificate/fresh in tls: not Ready (DoesNotExist: Issuing certificate as Secret does not exist), issuing for 3 min');
      expect(certs.find((f) => f.title.includes('broken'))!.title).toContain('rateLimited');
      expect(certs.find((f) => f.title.includes('old'))!.title).toMatch(/not Ready \(Expired: .*\), expired 2 d ago$/);
      const ok = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['tls'] }, thresholds: { certificates: { warn: 0.5, crit: 0.1 } } });
      expect(findingsOf(ok, 'certificates').map((f) => f.title.split(':')[0]).sort()).toEqual(['certificate/broken in tls', 'certificate/fresh in tls', 'certificate/old in tls']);
      k.api.add(kubeCertificate({ namespace: 'tls-ok', name: 'shop', ready: true, expiresInS: 60 * d }));
      expect(findingOf(await run('tls-ok'), 'certificates')).toMatchObject({ status: 'ok', title: 'All 1 certificates Ready, none expiring within 14 days' });
    } finally {
      k.api.installCertManager(false);
    }
  });
});

describe('a refused list', () => {
  it('403 on services: services (and ingresses, which need them) unknown naming the verb, resource and rule; the rest still run', async () => {
    k.api.add(kubeService({ namespace: 'locked-svc', name: 'api' }), kubePdb({ namespace: 'locked-svc', name: 'api', minAvailable: 1, expectedPods: 1, currentHealthy: 1, disruptionsAllowed: 0 }));
    k.api.deny('list', 'services', 'locked-svc');
    try {
      const findings = await run('locked-svc');
      const services = findingOf(findings, 'services');
      expect(services.status).toBe('unknown');
      expect(services.title).toMatch(/^Services: could not check \(forbidden: the bot may not list services in namespace locked-svc: services is forbidden: .*\(add list on services in namespace locked-svc to the bot's RBAC role \(see deploy\/rbac.yaml\) and apply it\)\)$/);
      expect(findingOf(findings, 'ingresses').status).toBe('unknown');
      expect(findingOf(findings, 'api', 'services')).toMatchObject({ status: 'warn' });
      expect(findingOf(findings, 'pdb').status).toBe('warn');
      for (const check of ['volumes', 'hpa', 'jobs', 'cronjobs', 'certificates', 'crashloop', 'deployments']) expect(findingOf(findings, check).status, check).toBe('ok');
    } finally {
      k.api.clearDenials();
    }
  });

  it('403 on a resource of another API group names the group in the rule to add', async () => {
    k.api.deny('list', 'endpointslices', 'locked-slices');
    k.api.addNamespace('locked-slices');
    try {
      const findings = await run('locked-slices');
      expect(findingOf(findings, 'services').title).toContain('(add list on endpointslices (apiGroups: ["discovery.k8s.io"]) in namespace locked-slices to the bot\'s RBAC role');
      expect(findingOf(findings, 'ingresses').status).toBe('ok');
    } finally {
      k.api.clearDenials();
    }
  });
});

describe('secrets', () => {
  it('a bearer token the cluster echoes back in an object\'s message is masked in the finding', async () => {
    k.api.add(kubeHpa({ namespace: 'echo', name: 'web', max: 3, current: 2, metricsFailing: `unable to get external metric: upstream answered 401 for "Authorization: Bearer ${k.api.token}"` }));
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { kubeconfig: undefined, server: k.api.url, token: k.api.token, namespaces: ['echo'] } });
    const hpa = findingOf(findings, 'hpa', 'horizontalpodautoscaler/web in echo');
    expect(hpa.status).toBe('warn');
    expect(hpa.title).toContain('Bearer ***');
    expect(JSON.stringify(findings)).not.toContain(k.api.token);
  });
});

describe('bounded lists', () => {
  it('namespaces: all lists each resource once, cluster-wide, and names the namespace of each object at fault', async () => {
    k.api.add(
      kubeService({ namespace: 'all-a', name: 'cart' }),
      kubeIngress({ namespace: 'all-a', name: 'front', rules: [{ service: 'cart', port: 80 }] }),
      kubePdb({ namespace: 'all-b', name: 'queue', maxUnavailable: 0, expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 0 }),
    );
    k.api.requests.length = 0;
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: 'all' } });
    expect(findingOf(findings, 'services', 'service/cart in all-a').title).toBe('service/cart in all-a: no ready endpoint (routed by ingress/front: its requests fail)');
    expect(findingOf(findings, 'pdb', 'poddisruptionbudget/queue in all-b').title).toContain('(maxUnavailable 0)');
    const paths = k.api.requests.map((r) => r.path);
    for (const path of ['/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices', '/apis/networking.k8s.io/v1/ingresses', '/api/v1/persistentvolumeclaims',
      '/apis/autoscaling/v2/horizontalpodautoscalers', '/apis/batch/v1/jobs', '/apis/batch/v1/cronjobs', '/apis/policy/v1/poddisruptionbudgets', '/apis/cert-manager.io/v1/certificates']) {
      expect(paths.filter((p) => p === path), path).toHaveLength(1);
    }
    expect(paths.filter((p) => p.includes('/namespaces/'))).toEqual([]);
  });

  it('each new resource is listed once per namespace per run, in pages of PAGE_SIZE', async () => {
    const n = PAGE_SIZE + 100;
    for (let i = 0; i < n; i++) {
      const name = `svc-${String(i).padStart(4, '0')}`;
      k.api.add(kubeService({ namespace: 'many', name }), kubeEndpointSlice({ namespace: 'many', service: name, ready: i === n - 1 ? 0 : 1 }));
    }
    k.api.requests.length = 0;
    const findings = await run('many');
    expect(findingsOf(findings, 'services').map((f) => f.title)).toEqual([`service/svc-${String(n - 1).padStart(4, '0')} in many: no ready endpoint`]);
    const byPath = new Map<string, number>();
    for (const r of k.api.requests) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    expect(byPath.get('/api/v1/namespaces/many/services')).toBe(2);
    expect(byPath.get('/apis/discovery.k8s.io/v1/namespaces/many/endpointslices')).toBe(2);
    for (const path of ['/apis/networking.k8s.io/v1/namespaces/many/ingresses', '/api/v1/namespaces/many/persistentvolumeclaims', '/apis/autoscaling/v2/namespaces/many/horizontalpodautoscalers',
      '/apis/batch/v1/namespaces/many/jobs', '/apis/batch/v1/namespaces/many/cronjobs', '/apis/policy/v1/namespaces/many/poddisruptionbudgets', '/apis/cert-manager.io/v1/namespaces/many/certificates', '/apis/storage.k8s.io/v1/storageclasses']) {
      expect(byPath.get(path), path).toBe(1);
    }
    const pages = k.api.requests.filter((r) => r.path === '/api/v1/namespaces/many/services');
    expect(pages.every((r) => r.query.limit === String(PAGE_SIZE))).toBe(true);
    expect(pages[1]!.query.continue).toBeTruthy();
  });
});
