// The credentials a Kubernetes target reaches its cluster with when they are not in the target's
// own keys: the kubeconfig user's tokens, passwords and client keys, or the pod's service account
// token. Read once when the config is loaded; the client library (to read the kubeconfig as the
// probe will) is loaded only for a target that uses a kubeconfig.
import { existsSync, readFileSync } from 'node:fs';
import { loadKubeConfig } from './kube-client.ts';
import type { KubeTarget } from './kube-target.ts';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** Keys of an auth provider's config whose values are secrets. */
const SECRET_KEY = /token|password|passwd|secret|api[-_]?key|apikey|credential|private[-_]?key/i;

/** Tokens, passwords and client keys of the kubeconfig user the target uses, or its service account token. */
export function kubeconfigSecrets(target: KubeTarget): string[] {
  const found: string[] = [];
  if (target.inCluster && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    try {
      found.push(readFileSync(SERVICE_ACCOUNT_TOKEN, 'utf8'));
    } catch {
      // Unreadable here: the probe cannot use it either.
    }
  }
  if (target.server || target.inCluster) return found;
  try {
    const kc = loadKubeConfig(target);
    for (const user of kc.getUsers()) {
      for (const v of [user.token, user.password, user.keyData]) if (v) found.push(v);
      const provider = user.authProvider as { config?: Record<string, unknown> } | undefined;
      for (const [k, v] of Object.entries(provider?.config ?? {})) if (typeof v === 'string' && SECRET_KEY.test(k)) found.push(v);
    }
  } catch {
    // A kubeconfig that cannot be read yields no secrets of its own; the probe says why it fails.
  }
  return found;
}
