// Cluster contents for the /diag k8s benchmark: a large namespace with a realistic sprinkling of
// problems, and healthy namespaces of two sizes to see how report time scales with pod count.
import type { FakeKubeApi } from '../test/support/fake-kube-api.ts';
import { DEFAULT_TEMPLATE_HASH, kubeCronJob, kubeDeployment, kubeEndpointSlice, kubeEvent, kubeHpa, kubeIngress, kubeJob, kubeNode, kubePdb, kubePod, kubePvc, kubeService, randomSuffix, type ContainerSpec, type PodOptions } from '../test/support/kube-objects.ts';

export const NODES = ['node-1', 'node-2', 'node-3'];
const PODS_PER_DEPLOYMENT = 50;

export interface Scenario {
  pods: number;
  deployments: number;
  events: number;
  /** Pods made unhealthy, by kind of trouble. */
  unhealthy: Record<string, number>;
}

export function addNodes(api: FakeKubeApi): void {
  api.add(...NODES.map((name) => kubeNode({ name })));
}

const podName = (deployment: string) => `${deployment}-${DEFAULT_TEMPLATE_HASH}-${randomSuffix()}`;

/** Healthy pods of `deployments` deployments × 50, all available. */
export function addHealthyNamespace(api: FakeKubeApi, namespace: string, deployments: number): number {
  for (let d = 0; d < deployments; d++) {
    const name = `svc-${String(d).padStart(3, '0')}`;
    api.add(kubeDeployment({ namespace, name, replicas: PODS_PER_DEPLOYMENT }));
    const pods = Array.from({ length: PODS_PER_DEPLOYMENT }, (_, p) => kubePod({ namespace, name: podName(name), owner: { kind: 'Deployment', name }, nodeName: NODES[p % NODES.length]! }));
    api.add(...pods);
  }
  return deployments * PODS_PER_DEPLOYMENT;
}

type Trouble = 'crashloop' | 'oomkilled' | 'image_pull' | 'not_ready';
const TROUBLES: Trouble[] = ['crashloop', 'oomkilled', 'image_pull', 'not_ready'];

function troubledContainer(trouble: Trouble, seq: number): { container: ContainerSpec; phase?: PodOptions['phase'] } {
  switch (trouble) {
    case 'crashloop':
      return {
        container: {
          name: 'app', ready: false, restartCount: 3 + (seq % 40),
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=app' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 90 + seq } },
        },
      };
    case 'oomkilled':
      return {
        container: {
          name: 'app', restartCount: 1 + (seq % 5), memoryLimit: '256Mi', memoryRequest: '128Mi',
          state: { running: { startedAgoS: 300 } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAgoS: 300 + seq } },
        },
      };
    case 'image_pull':
      return {
        phase: 'Pending',
        container: {
          name: 'app', image: `registry.example/app:2.${seq}`, ready: false,
          state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "registry.example/app:2.${seq}": not found` } },
        },
      };
    case 'not_ready':
      return { container: { name: 'app', ready: false, state: { running: { startedAgoS: 1_800 } } } };
  }
}

const EVENT_REASONS = [
  { reason: 'BackOff', message: 'Back-off restarting failed container app in pod' },
  { reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' },
  { reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.' },
  { reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found' },
];

/**
 * 100 deployments × 50 pods; one pod in 50 in trouble (crashloop, OOM kill, image pull, not
 * ready in turn), a few deployments short of replicas, and Warning events about the pods.
 */
export function addTroubledNamespace(api: FakeKubeApi, namespace: string, options: { deployments: number; events: number }): Scenario {
  const unhealthy: Record<string, number> = Object.fromEntries(TROUBLES.map((t) => [t, 0]));
  const names: string[] = [];
  for (let d = 0; d < options.deployments; d++) {
    const name = `svc-${String(d).padStart(3, '0')}`;
    // Every fifth deployment is short of replicas (its troubled pod and, for some, more).
    const missing = d % 5 === 0 ? 1 + (d % 3) * 10 : 0;
    api.add(kubeDeployment({ namespace, name, replicas: PODS_PER_DEPLOYMENT, available: PODS_PER_DEPLOYMENT - missing }));
    const pods = [];
    for (let p = 0; p < PODS_PER_DEPLOYMENT; p++) {
      const pod = podName(name);
      names.push(pod);
      const base = { namespace, name: pod, owner: { kind: 'Deployment' as const, name }, nodeName: NODES[p % NODES.length]! };
      if (p !== d % PODS_PER_DEPLOYMENT) {
        pods.push(kubePod(base));
        continue;
      }
      const trouble = TROUBLES[d % TROUBLES.length]!;
      unhealthy[trouble] = (unhealthy[trouble] ?? 0) + 1;
      const { container, phase } = troubledContainer(trouble, d);
      pods.push(kubePod({ ...base, containers: [container], ...(phase && { phase }) }));
    }
    api.add(...pods);
  }
  const events = [];
  for (let i = 0; i < options.events; i++) {
    const { reason, message } = EVENT_REASONS[i % EVENT_REASONS.length]!;
    // Spread over the last 50 minutes, inside the default 60-minute window.
    events.push(kubeEvent({ namespace, reason, message, involved: { kind: 'Pod', name: names[(i * 37) % names.length]!, namespace }, count: 1 + (i % 7), lastAgoS: 30 + ((i * 13) % 3_000) }));
  }
  api.add(...events);
  return { pods: names.length, deployments: options.deployments, events: options.events, unhealthy };
}

/**
 * What a namespace of `deployments` services holds beyond pods, as the checks beyond pods read it:
 * per deployment a Service with its EndpointSlice, a PodDisruptionBudget, an autoscaler, a volume
 * claim and two finished Jobs; an Ingress per ten deployments and a CronJob per five. Planted: one
 * Service with no ready endpoint and one failed Job. Returns the number of objects added.
 */
export function addBeyondPods(api: FakeKubeApi, namespace: string, deployments: number): number {
  const objects = [];
  for (let d = 0; d < deployments; d++) {
    const name = `svc-${String(d).padStart(3, '0')}`;
    objects.push(
      kubeService({ namespace, name }),
      kubeEndpointSlice({ namespace, service: name, ready: d === 7 ? 0 : PODS_PER_DEPLOYMENT, ...(d === 7 && { notReady: 2 }) }),
      kubePdb({ namespace, name, minAvailable: PODS_PER_DEPLOYMENT - 5, expectedPods: PODS_PER_DEPLOYMENT, currentHealthy: PODS_PER_DEPLOYMENT - 1, disruptionsAllowed: 4 }),
      kubeHpa({ namespace, name, target: name, min: PODS_PER_DEPLOYMENT, max: PODS_PER_DEPLOYMENT + 20, current: PODS_PER_DEPLOYMENT }),
      kubePvc({ namespace, name: `data-${name}` }),
      kubeJob({ namespace, name: `${name}-migrate-1`, outcome: 'Complete', finishedAgoS: 7_200 }),
      kubeJob({ namespace, name: `${name}-migrate-2`, outcome: d === 11 ? 'Failed' : 'Complete', finishedAgoS: 3_600 }),
    );
    if (d % 10 === 0) objects.push(kubeIngress({ namespace, name: `ing-${name}`, rules: [{ host: `${name}.example.com`, path: '/', service: name, port: 80 }] }));
    if (d % 5 === 0) objects.push(kubeCronJob({ namespace, name: `report-${name}`, schedule: '*/30 * * * *', lastScheduleAgoS: 600, lastSuccessAgoS: 590 }));
  }
  api.add(...objects);
  return objects.length;
}
