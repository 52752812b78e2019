// The official client for one target, and per-request options that bound every call by the
// target's timeout and the caller's abort signal (the client has no timeout of its own). The
// client library (about 0.45 s to load) is required on first use, not when this module loads:
// reading a config's secrets imports this module whether or not a k8s target is configured.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type * as K8s from '@kubernetes/client-node';
import type { KubeTarget } from './kube-target.ts';

const require = createRequire(import.meta.url);
let library: typeof K8s | undefined;

/** @kubernetes/client-node, loaded the first time a k8s target needs it. */
function k8sLibrary(): typeof K8s {
  library ??= require('@kubernetes/client-node') as typeof K8s;
  return library;
}

export interface KubeClient {
  core: K8s.CoreV1Api;
  apps: K8s.AppsV1Api;
  discovery: K8s.DiscoveryV1Api;
  networking: K8s.NetworkingV1Api;
  storage: K8s.StorageV1Api;
  autoscaling: K8s.AutoscalingV2Api;
  batch: K8s.BatchV1Api;
  policy: K8s.PolicyV1Api;
  /** cert-manager's Certificates, when the CRD is installed. */
  custom: K8s.CustomObjectsApi;
  /** The API server URL, for messages. */
  server: string;
  /** Options for one request: aborted by `signal` or after `timeoutMs`. */
  options(signal: AbortSignal, timeoutMs: number, extra?: K8s.ConfigurationOptions): K8s.ConfigurationOptions;
}

/**
 * The bot's configuration of a target does not lead to a cluster: a kubeconfig file that is not
 * there, a context it does not hold, a kubeconfig that cannot be read. Its message says what is
 * missing; `fix` says what to change.
 */
export class KubeConfigProblem extends Error {
  override name = 'KubeConfigProblem';
  readonly fix: string;

  constructor(message: string, fix: string, options?: ErrorOptions) {
    super(message, options);
    this.fix = fix;
  }
}

/** Where the client would read a kubeconfig from when the target names none. */
function defaultKubeconfigs(): { files: string[]; fromEnv: boolean } | undefined {
  const env = process.env.KUBECONFIG;
  if (env) return { files: env.split(path.delimiter).filter(Boolean), fromEnv: true };
  const file = path.join(os.homedir(), '.kube', 'config');
  return existsSync(file) ? { files: [file], fromEnv: false } : undefined;
}

export function loadKubeConfig(target: Pick<KubeTarget, 'kubeconfig' | 'context' | 'inCluster' | 'server' | 'token'>): K8s.KubeConfig {
  const kc = new (k8sLibrary().KubeConfig)();
  let source = 'the kubeconfig';
  if (target.server) {
    // The client refuses plain http unless verification is off; there is nothing to verify then.
    kc.loadFromClusterAndUser({ name: 'target', server: target.server, skipTLSVerify: target.server.startsWith('http:') }, { name: 'target', ...(target.token && { token: target.token }) });
  } else if (target.inCluster) {
    try {
      kc.loadFromCluster();
    } catch (e) {
      throw new KubeConfigProblem(`inCluster: the pod's service account cannot be read (${messageOf(e)})`, 'run the bot in a pod with a service account, or set kubeconfig/context for this target instead of inCluster', { cause: e });
    }
  } else {
    const files = target.kubeconfig ? { files: [target.kubeconfig], fromEnv: false } : defaultKubeconfigs();
    if (!files && !process.env.KUBERNETES_SERVICE_HOST) {
      throw new KubeConfigProblem(
        `no kubeconfig: $KUBECONFIG is not set and ${path.join(os.homedir(), '.kube', 'config')} does not exist`,
        'set kubeconfig (and context) for this target, set $KUBECONFIG for the bot, or inCluster: true when the bot runs in the cluster',
      );
    }
    for (const file of files?.files ?? []) {
      if (!existsSync(file)) {
        throw new KubeConfigProblem(
          `kubeconfig file ${file}${files!.fromEnv ? ' (from $KUBECONFIG)' : ''} does not exist`,
          files!.fromEnv
            ? `point $KUBECONFIG at an existing kubeconfig, or set kubeconfig for this target (kubectl config view --raw > <file> writes one)`
            : `set kubeconfig of this target to an existing file, or remove it to use $KUBECONFIG or ~/.kube/config`,
        );
      }
    }
    if (files) source = `the kubeconfig ${files.files.join(path.delimiter)}`;
    try {
      if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
      else kc.loadFromDefault();
    } catch (e) {
      throw new KubeConfigProblem(`${source} cannot be read: ${parseErrorWords(e)}`, 'fix or replace the kubeconfig file (kubectl config view checks that it parses)', { cause: e });
    }
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigProblem(
        `context "${target.context}" is not in ${source}; contexts there: ${known.join(', ') || 'none'}`,
        known.length > 0
          ? `set context of this target to one of ${known.join(', ')} (kubectl config get-contexts lists them), or add context "${target.context}" to the kubeconfig`
          : `add context "${target.context}" to the kubeconfig, or point kubeconfig at the file that has it`,
      );
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeConfigProblem(
      `${source} names no cluster for its current context${kc.getCurrentContext() ? ` "${kc.getCurrentContext()}"` : ''}`,
      'set context of this target to a context with a cluster (kubectl config get-contexts), or set current-context in the kubeconfig',
    );
  }
  return kc;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createKubeClient(kc: K8s.KubeConfig): KubeClient {
  const k8s = k8sLibrary();
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    discovery: kc.makeApiClient(k8s.DiscoveryV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
    storage: kc.makeApiClient(k8s.StorageV1Api),
    autoscaling: kc.makeApiClient(k8s.AutoscalingV2Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    policy: kc.makeApiClient(k8s.PolicyV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    server: kc.getCurrentCluster()?.server ?? '(unknown server)',
    options(signal, timeoutMs, extra) {
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      const middleware = {
        pre: (request: K8s.RequestContext) => {
          request.setSignal(bounded);
          return new k8s.Observable(Promise.resolve(request));
        },
        post: (response: K8s.ResponseContext) => new k8s.Observable(Promise.resolve(response)),
      };
      return {
        ...extra,
        middleware: [...((extra?.middleware as unknown[] | undefined) ?? []), middleware] as never,
        middlewareMergeStrategy: 'append',
      };
    },
  };
}

/**
 * Why a kubeconfig did not load, without the lines a YAML error quotes around its position: they
 * may hold the file's token or key, which cannot be masked when the file does not parse.
 */
function parseErrorWords(e: unknown): string {
  const err = e as { reason?: unknown; mark?: { line?: number; column?: number }; code?: unknown };
  if (typeof err?.reason === 'string') {
    const at = err.mark && typeof err.mark.line === 'number' ? ` (line ${err.mark.line + 1}, column ${(err.mark.column ?? 0) + 1})` : '';
    return `not valid YAML: ${err.reason}${at}`;
  }
  if (typeof err?.code === 'string') return `${err.code}`;
  return (messageOf(e).split('\n')[0] ?? '').slice(0, 120);
}
