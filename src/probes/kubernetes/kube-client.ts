// The official client for one target, and per-request options that bound every call by the
// target's timeout and the caller's abort signal (the client has no timeout of its own). The
// client library (about 0.45 s to load) is required on first use, not when this module loads:
// reading a config's secrets imports this module whether or not a k8s target is configured.
import { createRequire } from 'node:module';
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
  /** The API server URL, for messages. */
  server: string;
  /** Options for one request: aborted by `signal` or after `timeoutMs`. */
  options(signal: AbortSignal, timeoutMs: number, extra?: K8s.ConfigurationOptions): K8s.ConfigurationOptions;
}

export function loadKubeConfig(target: Pick<KubeTarget, 'kubeconfig' | 'context' | 'inCluster' | 'server' | 'token'>): K8s.KubeConfig {
  const kc = new (k8sLibrary().KubeConfig)();
  if (target.server) {
    // The client refuses plain http unless verification is off; there is nothing to verify then.
    kc.loadFromClusterAndUser({ name: 'target', server: target.server, skipTLSVerify: target.server.startsWith('http:') }, { name: 'target', ...(target.token && { token: target.token }) });
  } else if (target.inCluster) {
    kc.loadFromCluster();
  } else if (target.kubeconfig) {
    kc.loadFromFile(target.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(`context "${target.context}" is not in the kubeconfig; contexts there: ${known.join(', ') || 'none'}`);
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no cluster for its current context');
  return kc;
}

export function createKubeClient(kc: K8s.KubeConfig): KubeClient {
  const k8s = k8sLibrary();
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
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
