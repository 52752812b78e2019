// Reads the logs of a set of pods within a window, bounded: every container (init containers
// that ran too) and its previous instance when it restarted, at most `concurrency` pods at a time,
// `perContainerBytes` per read and `totalBytes` in all. The API's limitBytes keeps the FIRST bytes
// of the window; when a read is cut there, the container is read again with tailLines set to
// about as many lines as fitted (the most recent ones), so what is grouped is the end of the
// window, and the answer says the read was cut.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube-client.ts';
import { describeKubeError, type KubeProblem } from '../describe-kube-error.ts';
import type { LogLineSource } from './log-patterns.ts';

export interface LogBounds {
  perContainerBytes: number;
  totalBytes: number;
  concurrency: number;
}

export const DEFAULT_LOG_BOUNDS: LogBounds = { perContainerBytes: 2 * 1024 * 1024, totalBytes: 20 * 1024 * 1024, concurrency: 5 };
/** Below this much left of the total, a container is not read at all. */
const MIN_READ_BYTES = 4 * 1024;

export interface ContainerLog extends LogLineSource {
  namespace: string;
  /** Whole lines, with their timestamps. */
  text: string;
  bytes: number;
  /** The read hit perContainerBytes: `text` is part of the window, not all of it. */
  cut: boolean;
  /** A cut read whose `text` is the start of the window: the total left no room to read its end again. */
  oldest?: boolean;
}

export interface LogReadResult {
  logs: ContainerLog[];
  /** Containers not read: the total bound, the deadline, or an error (with its words). */
  skippedForTotal: number;
  failed: Array<{ source: LogLineSource; problem: KubeProblem }>;
}

export interface LogReadOptions {
  sinceSeconds: number;
  bounds: LogBounds;
  /** Per-request options, bounded by what is left of the deadline; undefined when none is. */
  request: () => ReturnType<KubeClient['options']> | undefined;
  timeoutMs: number;
}

/** Every container of the pod to read: the current instance of those that ran, the previous of those that restarted. */
export function sourcesOf(pod: V1Pod): LogLineSource[] {
  const name = pod.metadata?.name ?? '';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return names.flatMap((container) => {
    const s = statuses.find((x) => x.name === container);
    const ran = s !== undefined && (s.state?.running !== undefined || s.state?.terminated !== undefined);
    const restarted = s !== undefined && ((s.restartCount ?? 0) > 0 || s.lastState?.terminated !== undefined);
    return [
      ...(restarted ? [{ pod: name, container, previous: true }] : []),
      ...(ran ? [{ pod: name, container, previous: false }] : []),
    ];
  });
}

/** The containers of one pod to read. */
export interface PodSources {
  namespace: string;
  sources: readonly LogLineSource[];
}

/** What to read of these pods: every container of each (sourcesOf). */
export function podSources(pods: readonly V1Pod[]): PodSources[] {
  return pods.map((pod) => ({ namespace: pod.metadata?.namespace ?? '', sources: sourcesOf(pod) }));
}

/** Reads the sources, `concurrency` pods at a time, a pod's containers one after the other. */
export async function readPodLogs(client: KubeClient, pods: readonly PodSources[], options: LogReadOptions): Promise<LogReadResult> {
  const result: LogReadResult = { logs: [], skippedForTotal: 0, failed: [] };
  let left = options.bounds.totalBytes;
  const queue = [...pods];
  const worker = async () => {
    for (let pod = queue.shift(); pod; pod = queue.shift()) {
      const namespace = pod.namespace;
      for (const source of pod.sources) {
        const reserve = Math.min(options.bounds.perContainerBytes, left);
        if (reserve < MIN_READ_BYTES) {
          result.skippedForTotal++;
          continue;
        }
        left -= reserve;
        // The re-read of a cut container is paid from the same total before it is sent, so the
        // total is never exceeded, whatever the concurrency.
        const budget = {
          take(n: number): number {
            const got = Math.min(n, left);
            if (got < MIN_READ_BYTES) return 0;
            left -= got;
            return got;
          },
          refund(n: number): void {
            left += n;
          },
        };
        try {
          const { log, firstBytes } = await readOne(client, namespace, source, reserve, options, budget);
          left += reserve - firstBytes;
          result.logs.push(log);
        } catch (error) {
          left += reserve;
          // A container that never ran before (no previous instance) has nothing to read.
          if (source.previous && isNoPrevious(error)) continue;
          result.failed.push({ source, problem: describeKubeError(error, { verb: 'get', resource: 'pods/log', namespace, name: source.pod }, options.timeoutMs, client.server) });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.bounds.concurrency) }, worker));
  return result;
}

async function readOne(
  client: KubeClient,
  namespace: string,
  source: LogLineSource,
  limitBytes: number,
  options: LogReadOptions,
  budget: { take(n: number): number; refund(n: number): void },
): Promise<{ log: ContainerLog; firstBytes: number }> {
  const request = options.request();
  if (!request) throw new Error('no time left to read the logs');
  const base = { name: source.pod, namespace, container: source.container, previous: source.previous, sinceSeconds: options.sinceSeconds, timestamps: true, limitBytes };
  const first = String(await client.core.readNamespacedPodLog(base, request));
  const firstBytes = Buffer.byteLength(first);
  // A partial UTF-8 character at the cut decodes to up to 3 bytes: within that of the limit is a cut read.
  if (firstBytes < limitBytes - 3) return { log: { ...source, namespace, text: first, bytes: firstBytes, cut: false }, firstBytes };
  const fitted = wholeLines(first).split('\n').length;
  let bytes = firstBytes;
  let text = wholeLines(first);
  const extra = fitted > 1 ? budget.take(limitBytes) : 0;
  const again = extra > 0 ? options.request() : undefined;
  if (extra > 0 && !again) budget.refund(extra);
  if (again) {
    // The most recent lines: about as many as fitted in the first read, a tenth fewer for longer
    // ones, within what the total had left for this re-read.
    let tailBytes = 0;
    try {
      const tail = String(await client.core.readNamespacedPodLog({ ...base, limitBytes: extra, tailLines: Math.max(1, Math.floor(fitted * 0.9)) }, again));
      tailBytes = Buffer.byteLength(tail);
      text = tailBytes < extra - 3 ? tail : wholeLines(tail);
    } finally {
      budget.refund(extra - tailBytes);
    }
    bytes += tailBytes;
  }
  return { log: { ...source, namespace, text, bytes, cut: true, ...(fitted > 1 && !again && { oldest: true }) }, firstBytes };
}

/** The text up to its last newline: a line the limit cut is dropped. */
function wholeLines(text: string): string {
  const end = text.lastIndexOf('\n');
  return end < 0 ? '' : text.slice(0, end + 1);
}

function isNoPrevious(error: unknown): boolean {
  const e = error as { code?: number; body?: unknown };
  return e?.code === 400 && /previous terminated container/i.test(typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? ''));
}
