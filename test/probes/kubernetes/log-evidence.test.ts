// Logs as evidence in /diag k8s: a crashlooping workload's root cause carries the top error
// patterns of its containers at fault (the previous instance's too); a healthy workload's logs are
// never read, and k8s.log_patterns does not run in the normal diagnosis.
import { describe, expect, it } from 'vitest';
import { kubeDeployment, kubePod } from '../../support/kube-objects.ts';
import { findingOf, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();

describe('/diag k8s with log evidence', () => {
  it('a crashlooping deployment\'s finding quotes its top error patterns; healthy pods are not read', async () => {
    k.api.add(kubeDeployment({ namespace: 'prod', name: 'billing', replicas: 2, available: 1 }));
    k.api.add(kubePod({ namespace: 'prod', name: 'billing-5d4f8c7b9-a1', owner: { kind: 'Deployment', name: 'billing' }, containers: [{ name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 30 } } }] }));
    k.api.add(kubePod({ namespace: 'prod', name: 'billing-5d4f8c7b9-a2', owner: { kind: 'Deployment', name: 'billing' } }));
    k.api.add(kubeDeployment({ namespace: 'prod', name: 'quiet', replicas: 1 }));
    k.api.add(kubePod({ namespace: 'prod', name: 'quiet-5d4f8c7b9-q1', owner: { kind: 'Deployment', name: 'quiet' } }));
    k.api.setLogLines('prod', 'billing-5d4f8c7b9-a1', 'app', {
      current: [],
      previous: [
        { agoS: 90, text: 'ERROR ledger 7 write failed: connection to 10.2.0.5:5432 refused' },
        { agoS: 60, text: 'ERROR ledger 8 write failed: connection to 10.2.0.6:5432 refused' },
        { agoS: 40, text: 'FATAL cannot recover, exiting' },
        { agoS: 35, text: 'INFO shutting down' },
      ],
    });
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig });
    const crash = findingOf(findings, 'crashloop', 'billing');
    expect(crash.detail).toContain('logs, 15 min: 2× ERROR ledger 8 write failed: connection to 10.2.0.6:5432 refused (last ');
    expect(crash.detail).toContain('logs, 15 min: 1× FATAL cannot recover, exiting');
    expect(crash.detail).not.toContain('shutting down');
    const reads = k.api.requests.filter((r) => r.path.endsWith('/log') && r.query.sinceSeconds === '900');
    expect(reads.map((r) => r.path)).toEqual(['/api/v1/namespaces/prod/pods/billing-5d4f8c7b9-a1/log']);
    expect(reads[0]!.query).toMatchObject({ previous: 'true', timestamps: 'true', limitBytes: String(256 * 1024) });
    expect(findings.some((f) => f.check === 'k8s.log_patterns')).toBe(false);
  });

  it('reads at most 3 workloads per run; a pod not ready is read as it runs now', async () => {
    const before = k.api.requests.length;
    for (const name of ['w1', 'w2', 'w3', 'w4']) {
      k.api.add(kubeDeployment({ namespace: 'edge', name, replicas: 1, available: 0 }));
      k.api.add(kubePod({ namespace: 'edge', name: `${name}-5d4f8c7b9-x`, owner: { kind: 'Deployment', name }, containers: [{ name: 'app', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'Error', exitCode: 2, finishedAgoS: 10 } } }] }));
      k.api.setLogLines('edge', `${name}-5d4f8c7b9-x`, 'app', { current: [], previous: [{ agoS: 20, text: `ERROR ${name} cannot bind port` }] });
    }
    k.api.add(kubeDeployment({ namespace: 'web', name: 'front', replicas: 1, available: 0, ready: 0 }));
    k.api.add(kubePod({ namespace: 'web', name: 'front-5d4f8c7b9-f', owner: { kind: 'Deployment', name: 'front' }, createdAgoS: 900, containers: [{ name: 'app', ready: false, state: { running: { startedAgoS: 600 } } }] }));
    k.api.setLogLines('web', 'front-5d4f8c7b9-f', 'app', { current: [{ agoS: 30, text: 'ERROR upstream cart unavailable' }] });

    const edge = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['edge'] } });
    const quoted = ['w1', 'w2', 'w3', 'w4'].filter((n) => edge.some((f) => f.detail?.includes(`logs, 15 min: 1× ERROR ${n} cannot bind port`)));
    expect(quoted).toHaveLength(3);
    const patternReads = k.api.requests.slice(before).filter((r) => r.path.endsWith('/log') && r.query.sinceSeconds === '900');
    expect(patternReads).toHaveLength(3);

    const web = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['web'] } });
    expect(web.find((f) => f.detail?.includes('logs, 15 min: 1× ERROR upstream cart unavailable'))?.check).toMatch(/^k8s\.(readiness|deployments)$/);
    const frontRead = k.api.requests.find((r) => r.path === '/api/v1/namespaces/web/pods/front-5d4f8c7b9-f/log' && r.query.sinceSeconds === '900');
    expect(frontRead?.query.previous).toBe('false');
  });
});
