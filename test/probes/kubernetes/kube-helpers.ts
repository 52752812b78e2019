// Shared by the Kubernetes probe tests: a fake API server per file, and the probe run the way the
// bot runs it, through a kubeconfig that points at the fake.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { kubernetesKind } from '../../../src/probes/kubernetes/kubernetes-kind.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { kubeTargetSchema, type KubeTarget } from '../../../src/probes/kubernetes/kube-target.ts';
import { resolveThresholds, type Thresholds } from '../../../src/probes/probe-definition.ts';
import { MemoryProbeStateStore, type ProbeStateStore } from '../../../src/probes/probe-state.ts';
import type { Finding } from '../../../src/report.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../support/fake-kube-api.ts';

export function useFakeKubeApi(): { api: FakeKubeApi; kubeconfig: string } {
  const ctx = {} as { api: FakeKubeApi; kubeconfig: string };
  beforeAll(async () => {
    ctx.api = await startFakeKubeApi();
    ctx.kubeconfig = ctx.api.writeKubeconfig(mkdtempSync(path.join(os.tmpdir(), 'kube-')));
  });
  afterAll(async () => {
    await ctx.api?.close();
  });
  return ctx;
}

export interface KubeRunOptions {
  kubeconfig: string;
  target?: Record<string, unknown>;
  thresholds?: Record<string, Partial<Thresholds>>;
  timeoutMs?: number;
  store?: ProbeStateStore;
}

export function kubeTarget(options: KubeRunOptions): KubeTarget {
  return {
    ...kubeTargetSchema.parse({ kubeconfig: options.kubeconfig, namespaces: ['prod'], ...options.target }),
    name: 'prod-cluster',
    kind: 'k8s',
    timeoutMs: options.timeoutMs ?? 3_000,
    thresholds: resolveThresholds(kubernetesKind, options.thresholds),
  } as KubeTarget;
}

export async function runKubeProbe(options: KubeRunOptions): Promise<Finding[]> {
  const target = kubeTarget(options);
  const store = options.store ?? new MemoryProbeStateStore();
  return await runKindChecks(kubernetesKind, target, { signal: new AbortController().signal, log: silentLogger(), state: store.forTarget(target.name) });
}

export function findingsOf(findings: Finding[], check: string): Finding[] {
  return findings.filter((f) => f.check === `k8s.${check}`);
}

export function findingOf(findings: Finding[], check: string, titlePart?: string): Finding {
  const f = findingsOf(findings, check).find((x) => titlePart === undefined || x.title.includes(titlePart));
  if (!f) throw new Error(`no k8s.${check} finding${titlePart ? ` with "${titlePart}"` : ''} in:\n${findings.map((x) => `${x.check} ${x.status} ${x.title}`).join('\n')}`);
  return f;
}
