// What one diagnosis keeps for the resources check: the limits and requests of running
// containers (from the pod list), each node's allocatable memory and cpu (from the node list), and
// what the metrics server measured (metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics), joined by
// the check. Numbers only, bytes and cores, parsed once as each page arrives.
import type { KubeProblem } from './describe-kube-error.ts';
import type { WorkloadRef } from './workload-of.ts';

export interface ContainerLimits {
  namespace: string;
  pod: string;
  container: string;
  workload: WorkloadRef;
  /** Bytes. */
  memoryLimit?: number;
  /** Cores. */
  cpuLimit?: number;
}

export interface Usage {
  /** Cores. */
  cpu?: number;
  /** Bytes (the working set, what the OOM killer compares with the limit). */
  memory?: number;
}

export interface UsageRecords {
  /** `<ns>/<pod>/<container>` -> the limits of a running container that has any. */
  limits: Map<string, ContainerLimits>;
  /** Running pods with a container lacking a memory limit or any request, by workload key. */
  unbounded: Map<string, { ref: WorkloadRef; pods: number }>;
  unboundedPods: number;
  /** Node name -> allocatable. */
  allocatable: Map<string, Usage>;
  /** `<ns>/<pod>/<container>` -> what the metrics server measured. */
  containerUsage: Map<string, Usage>;
  /** Node name -> what the metrics server measured. */
  nodeUsage: Map<string, Usage>;
  podMetricsListed: boolean;
  nodeMetricsListed: boolean;
  /** Why PodMetrics could not be read (not installed: `not_found`; 403: `forbidden`...). */
  podMetricsProblem?: KubeProblem;
  nodeMetricsProblem?: KubeProblem;
}

export function emptyUsage(): UsageRecords {
  return {
    limits: new Map(),
    unbounded: new Map(),
    unboundedPods: 0,
    allocatable: new Map(),
    containerUsage: new Map(),
    nodeUsage: new Map(),
    podMetricsListed: false,
    nodeMetricsListed: false,
  };
}
