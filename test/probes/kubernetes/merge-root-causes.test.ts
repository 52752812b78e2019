// The merge itself, on findings tagged the way the checks tag them: which findings make a root
// cause, which cause leads, and that a button offered by several of them is kept once.
import { describe, expect, it } from 'vitest';
import { mergeRootCauses, rootCauseGroups } from '../../../src/probes/kubernetes/merge-root-causes.ts';
import { tagWorkload, type WorkloadStory } from '../../../src/probes/kubernetes/workload-story.ts';
import type { Finding, Remedy, Status } from '../../../src/report.ts';

const api = { namespace: 'shop', kind: 'deployment', name: 'api' };
const worker = { namespace: 'shop', kind: 'deployment', name: 'worker' };
const restart = (name: string): Remedy => ({ action: 'k8s.restart', label: `Restart ${name}`, params: { namespace: 'shop', workload: 'deployment', name, replicas: 2 } });
const scale = (name: string): Remedy => ({ action: 'k8s.scale', label: `Scale ${name}…`, params: { namespace: 'shop', workload: 'deployment', name } });
const logs = (pod: string, previous: boolean): Remedy => ({ action: 'k8s.logs', label: `Logs ${pod}`, params: { namespace: 'shop', pod, container: 'app', previous: previous ? 'yes' : 'no' } });

function tagged(check: string, status: Status, title: string, story: WorkloadStory, remedies: Remedy[] = [], fix?: string): Finding {
  return tagWorkload({ check: `k8s.${check}`, status, title, ...(remedies.length > 0 && { remedies }), ...(fix && { fix }) }, story);
}

describe('mergeRootCauses', () => {
  it('merges each workload apart, the strongest cause leading, every button once, in the order look, restart, scale', () => {
    const findings = [
      { check: 'k8s.api', status: 'ok' as const, title: 'API answered' },
      tagged('readiness', 'warn', 'deployment/api in shop: 2 pods not ready', { ref: api, cause: '2 of 2 pods not ready', effect: 'readiness: 2 pods not ready for 3 min' }, [logs('api-1', false), restart('api')]),
      tagged('crashloop', 'crit', 'deployment/api in shop: 2 pods in CrashLoopBackOff', { ref: api, cause: '2 of 2 pods crashlooping, exit code 2', culprit: { namespace: 'shop', pod: 'api-1', container: 'app' } }, [logs('api-1', true), restart('api')]),
      tagged('deployments', 'crit', 'deployment/api in shop: 0/2 available', { ref: api, effect: 'deployment shop/api: 0 of 2 replicas available' }, [restart('api'), scale('api')], 'kubectl rollout undo deployment/api -n shop goes back to the previous version'),
      tagged('deployments', 'warn', 'deployment/worker in shop: 1/2 available', { ref: worker, effect: 'deployment shop/worker: 1 of 2 replicas available' }, [scale('worker')]),
      tagged('pending', 'warn', 'deployment/worker in shop: pod worker-2 Pending', { ref: worker, cause: '1 of 2 pods Pending for 6 min (insufficient memory)' }),
    ];
    const groups = rootCauseGroups(findings);
    expect(groups.map((g) => [g.ref.name, g.causes.map((c) => c.check), g.effects.map((e) => e.check)])).toEqual([
      ['api', ['crashloop'], ['readiness', 'deployments']],
      ['worker', ['pending'], ['deployments']],
    ]);
    const merged = mergeRootCauses(findings, groups, new Map([['shop/api-1/app', 'panic: no route to db']]));
    expect(merged.map((f) => [f.check, f.status, f.rootCause ?? false, f.title])).toEqual([
      ['k8s.api', 'ok', false, 'API answered'],
      ['k8s.crashloop', 'crit', true, 'deployment shop/api: 2 of 2 pods crashlooping, exit code 2, last log line: panic: no route to db'],
      ['k8s.pending', 'warn', true, 'deployment shop/worker: 1 of 2 pods Pending for 6 min (insufficient memory)'],
    ]);
    const [, apiRoot, workerRoot] = merged as [Finding, Finding, Finding];
    expect(apiRoot.effects).toEqual(['readiness: 2 pods not ready for 3 min', 'deployment shop/api: 0 of 2 replicas available']);
    // The effect's Logs (current) is not the workload's button; Restart offered three times is kept once.
    expect(apiRoot.remedies).toEqual([logs('api-1', true), restart('api'), scale('api')]);
    expect(apiRoot.fix).toBe('kubectl rollout undo deployment/api -n shop goes back to the previous version');
    expect(workerRoot.remedies).toEqual([scale('worker')]);
    expect(workerRoot.effects).toEqual(['deployment shop/worker: 1 of 2 replicas available']);
  });

  it('leaves alone a lone finding, a bare pod, an ok finding and an untagged one; a paused workload loses its restart', () => {
    const pod = { namespace: 'shop', kind: 'pod', name: 'debug' };
    const findings = [
      tagged('crashloop', 'crit', 'pod/debug in shop: crashloop', { ref: pod, cause: 'pod debug crashlooping' }),
      tagged('readiness', 'warn', 'pod/debug in shop: not ready', { ref: pod, effect: 'readiness: 1 pod not ready' }),
      tagged('deployments', 'warn', 'deployment/worker in shop: paused', { ref: worker, effect: 'x' }),
      { check: 'k8s.crashloop', status: 'warn' as const, title: '9 more workloads with crashlooping containers' },
    ];
    expect(rootCauseGroups(findings)).toEqual([]);
    expect(mergeRootCauses(findings, [])).toEqual(findings);

    const paused = [
      tagged('crashloop', 'crit', 'c', { ref: api, cause: '1 of 2 pods crashlooping' }, [logs('api-1', true), restart('api')]),
      tagged('deployments', 'warn', 'd', { ref: api, effect: 'deployment shop/api: paused', refuses: ['k8s.restart'] }, [scale('api')]),
    ];
    const [root] = mergeRootCauses(paused, rootCauseGroups(paused));
    expect(root!.remedies?.map((r) => r.action)).toEqual(['k8s.logs', 'k8s.scale']);
  });
});
