// `kubectl kustomize <dir>`: the objects an overlay applies, parsed. kubectl is the Debian
// package kubernetes-client (.ci/run installs it when it is missing).
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, read field by field by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>;

export function renderKustomize(dir: string): KubeObject[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw new Error(`kubectl is not on PATH (${result.error.message}): install it (Debian/Ubuntu: apt-get install -y kubernetes-client), then run the tests again`);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as KubeObject).filter(Boolean);
}
