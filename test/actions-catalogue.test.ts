// Every action a probe offers as a remedy must exist in the catalogue, with the parameters it
// declares: a finding must never offer a button nothing can run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, findAction } from '../src/actions/action-catalogue.ts';
import { invalidParams } from '../src/actions/validate-params.ts';
import { checkActionRegistry } from '../src/actions/check-action-registry.ts';
import type { ActionDefinition } from '../src/actions/action-definition.ts';
import { POSTGRES_EXECUTORS } from '../src/probes/postgres/postgres-actions.ts';
import { KUBERNETES_EXECUTORS } from '../src/probes/kubernetes/kubernetes-actions.ts';
import { PROBES } from '../src/probes/probe-registry.ts';
import { backendRemedies, backendRemedy, MAX_SESSION_REMEDIES } from '../src/probes/postgres/backend-remedy.ts';
import type { ClusterSnapshot } from '../src/probes/kubernetes/cluster-snapshot.ts';
import type { KubeTarget } from '../src/probes/kubernetes/kube-target.ts';
import { deletePodRemedy, logsRemedy, restartRemedies } from '../src/probes/kubernetes/workload-remedies.ts';
import type { Remedy } from '../src/report.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('action catalogue', () => {
  it('knows every action id the probes name', () => {
    const named = new Set<string>();
    for (const file of sourceFiles(path.resolve(import.meta.dirname, '../src/probes'))) {
      // `action: 'x.y'` in a remedy, or the action given to backendRemedy/backendRemedies.
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:action: |backendRemed(?:y|ies)\()'([a-z0-9]+\.[a-z_]+)'/g)) named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThanOrEqual(3);
    for (const id of named) expect(findAction(id), id).toBeDefined();
  });

  it('session buttons carry exactly the parameters their actions take', () => {
    for (const action of ['postgres.cancel_query', 'postgres.terminate_backend'] as const) {
      const remedy = backendRemedy(action, 4242);
      expect(Object.keys(remedy.params)).toEqual(Object.keys(findAction(action)!.params));
      expect(remedy.label).toMatch(/ pid 4242$/);
    }
    expect(backendRemedies('postgres.terminate_backend', [{ pid: 1 }, { pid: 2 }, { pid: 3 }, { pid: 4 }])).toHaveLength(MAX_SESSION_REMEDIES);
  });

  it('describes each action for a confirmation dialog', () => {
    for (const a of ACTIONS) {
      const params = Object.fromEntries(Object.entries(a.params).map(([k, t]) => [k, t.type === 'integer' ? 4242 : 'x']));
      expect(a.describe(params, 'main-db')).toContain('main-db');
    }
  });

  it('declares the dialog input among the parameters, with the bounds the dialog says', () => {
    const scale = findAction('k8s.scale')!;
    expect(scale.input).toMatchObject({ param: 'replicas', min: 0, max: 100 });
    expect(scale.params.replicas).toMatchObject({ type: 'integer', min: 0, max: 100 });
    for (const a of ACTIONS) if (a.input) expect(Object.hasOwn(a.params, a.input.param), a.id).toBe(true);
  });

  it('every button the probes make passes the declarations it is checked against when pressed', () => {
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(longest).toHaveLength(253);
    const namespace = 'n'.repeat(63);
    const target = { name: 'prod', namespaces: [namespace], restartable: [`deployment/${longest}`, 'statefulset/db-0.x', 'daemonset/agent'], deletePods: true } as unknown as KubeTarget;
    const snapshot = { workloadReplicas: new Map([[`${namespace}/deployment/${longest}`, 2_147_483_647]]) } as unknown as ClusterSnapshot;
    const remedies: Remedy[] = [
      backendRemedy('postgres.cancel_query', 1),
      backendRemedy('postgres.terminate_backend', 2_147_483_647),
      { action: 'postgres.vacuum_analyze', label: 'VACUUM', params: { database: 'app', schema: 'public', table: 'ü'.repeat(31) } },
      logsRemedy({ namespace, name: longest }, 'c'.repeat(63), true),
      logsRemedy({ namespace: 'shop', name: 'api-5d4f8c7b9-x2x9z' }, 'app', false),
      ...deletePodRemedy(target, { namespace, name: longest }),
      ...restartRemedies({ target, snapshot }, { namespace, kind: 'deployment', name: longest }, { scale: true }),
      ...restartRemedies({ target, snapshot }, { namespace, kind: 'statefulset', name: 'db-0.x' }, { scale: true }),
      ...restartRemedies({ target, snapshot }, { namespace, kind: 'daemonset', name: 'agent' }),
    ];
    expect(remedies.map((r) => r.action)).toEqual(['postgres.cancel_query', 'postgres.terminate_backend', 'postgres.vacuum_analyze', 'k8s.logs', 'k8s.logs', 'k8s.delete_pod', 'k8s.restart', 'k8s.scale', 'k8s.restart', 'k8s.scale', 'k8s.restart']);
    for (const r of remedies) {
      const spec = findAction(r.action)!;
      // Scale's replicas come from its dialog when it is pressed.
      const params = spec.input ? { ...r.params, [spec.input.param]: spec.input.max } : r.params;
      expect(invalidParams(spec.params, params), `${r.action} ${JSON.stringify(r.params)}`).toBeUndefined();
    }
  });
});

describe('the action registry', () => {
  it('is built from the kinds: every action of a kind is in the catalogue, with an executor that loads', async () => {
    expect(ACTIONS.map((a) => a.id)).toEqual(PROBES.flatMap((p) => p.actions.map((a) => a.id)));
    expect(checkActionRegistry(PROBES)).toEqual([]);
    for (const a of ACTIONS) {
      const executor = await a.executor();
      expect(typeof executor.run, a.id).toBe('function');
    }
    // Each action loads its own executor, not another action's.
    expect(await findAction('postgres.vacuum_analyze')!.executor()).toBe(POSTGRES_EXECUTORS['postgres.vacuum_analyze']);
    expect(await findAction('k8s.scale')!.executor()).toBe(KUBERNETES_EXECUTORS['k8s.scale']);
  });

  it('names every problem: a foreign or malformed id, a duplicate, no executor, an undeclared dialog input or parameter', () => {
    const cancel = findAction('postgres.cancel_query')!;
    const bad = (over: Partial<ActionDefinition>): ActionDefinition => ({ ...cancel, ...over });
    const problems = checkActionRegistry([
      { kind: 'postgres', actions: [cancel, cancel, bad({ id: 'k8s.drop_table' }), bad({ id: 'postgres.Drop-Table' }), bad({ id: 'postgres.no_executor', executor: undefined as never })] },
      { kind: 'k8s', actions: [bad({ id: 'k8s.resize', input: { param: 'size', label: 'Size', min: 0, max: 10 } }), bad({ id: 'k8s.odd', params: { pid: { type: 'float', accepts: '' } as never } })] },
    ]);
    expect(problems).toEqual([
      'action postgres.cancel_query is defined twice (kinds postgres and postgres)',
      'action k8s.drop_table of kind postgres must be named postgres.<name> (lowercase letters, digits and _)',
      'action postgres.Drop-Table of kind postgres must be named postgres.<name> (lowercase letters, digits and _)',
      'action postgres.no_executor has no executor',
      'action k8s.resize: input size must be declared in params as an integer from 0 to 10',
      'action k8s.odd: parameter pid must be declared as an integer or string with the words of what it accepts',
    ]);
  });
});
