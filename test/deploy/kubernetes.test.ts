// The Kustomize base, overlays and components of deploy/kubernetes, rendered by `kubectl
// kustomize` as `kubectl apply -k` would apply them: probes on the bot's port, the restricted
// security context the image allows, replicas and update strategy that match Redis or its
// absence, every variable the bot and its chatops.yml read, the config where CHATOPS_CONFIG
// points, and RBAC that grants exactly what the config's Kubernetes target uses.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { readShutdownGraceMs } from '../../src/process-safety.ts';
import { parseRestartable } from '../../src/probes/kubernetes/kube-target.ts';
import { ALERTMANAGER_PATH } from '../../src/alerts/alertmanager-route.ts';
import { HEARTBEAT_PATH } from '../../src/heartbeats/heartbeat-route.ts';
import { parseDockerfile } from './parse-dockerfile.ts';
import { allowed, grantsFor } from './rbac-grants.ts';
import { renderKustomize, type KubeObject } from './render-kustomize.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KUSTOMIZE = path.join(ROOT, 'deploy/kubernetes');
const OVERLAYS = ['example', 'single'] as const;
const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, renderKustomize(path.join(KUSTOMIZE, 'overlays', o))])) as Record<(typeof OVERLAYS)[number], KubeObject[]>;

const one = (objects: KubeObject[], kind: string, name?: string): KubeObject => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`), `exactly one ${kind}${name ? ` ${name}` : ''}`).toHaveLength(1);
  return found[0]!;
};
const botContainer = (objects: KubeObject[]): KubeObject => one(objects, 'Deployment', 'chatops').spec.template.spec.containers.find((c: KubeObject) => c.name === 'chatops');
const envOf = (objects: KubeObject[]): Map<string, KubeObject> => new Map(botContainer(objects).env.map((e: KubeObject) => [e.name, e]));
const plainEnv = (objects: KubeObject[]): Record<string, string> =>
  Object.fromEntries([...envOf(objects)].filter(([, e]) => e.value !== undefined).map(([k, e]) => [k, String(e.value)]));

/** The ConfigMap the pod mounts, and where its chatops.yml appears in the container. */
function mountedConfig(objects: KubeObject[]): { text: string; mountedAt: string } {
  const pod = one(objects, 'Deployment', 'chatops').spec.template.spec;
  const container = botContainer(objects);
  for (const mount of container.volumeMounts as KubeObject[]) {
    const volume = (pod.volumes as KubeObject[]).find((v) => v.name === mount.name)!;
    if (!volume.configMap) continue;
    const configMap = one(objects, 'ConfigMap', volume.configMap.name);
    return { text: configMap.data['chatops.yml'], mountedAt: path.posix.join(mount.mountPath, 'chatops.yml') };
  }
  throw new Error('no ConfigMap is mounted in the bot container');
}

/** ${VAR} references of a config, in its values only (comments are not read; $${ is a literal). */
function configVariables(text: string): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) names.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(parseDocument(text).toJS());
  return [...names].sort();
}

describe.each(OVERLAYS)('deploy/kubernetes/overlays/%s', (overlay) => {
  const objects = rendered[overlay];

  it('probes /healthz (alive, started) and /readyz (ready) on the port the bot listens on (PORT)', () => {
    const container = botContainer(objects);
    const port = Number(plainEnv(objects).PORT);
    expect(port).toBeGreaterThan(0);
    const portOf = (p: string | number) => (typeof p === 'number' ? p : container.ports.find((x: KubeObject) => x.name === p)?.containerPort);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.startupProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    for (const probe of [container.livenessProbe, container.startupProbe, container.readinessProbe]) expect(portOf(probe.httpGet.port)).toBe(port);
    // The Service reaches the same port, and selects the bot's pods.
    const service = one(objects, 'Service', 'chatops');
    const labels = one(objects, 'Deployment', 'chatops').spec.template.metadata.labels;
    expect(portOf(service.spec.ports[0].targetPort)).toBe(port);
    for (const [k, v] of Object.entries(service.spec.selector)) expect(labels[k]).toBe(v);
  });

  it('keeps a Socket Mode pod in the Service while the Slack socket is down, and an HTTP mode pod only when ready', () => {
    // In Socket Mode /readyz fails without the socket, but in-cluster webhooks and heartbeats
    // must still reach the bot; in HTTP mode Slack itself comes through the Service.
    const socketMode = envOf(objects).has('SLACK_APP_TOKEN');
    expect(socketMode).toBe(overlay === 'single');
    const service = one(objects, 'Service', 'chatops');
    expect(service.spec.publishNotReadyAddresses === true).toBe(socketMode);
  });

  it('runs under the restricted pod security standard, as the image\'s user, writing only to /tmp', () => {
    const pod = one(objects, 'Deployment', 'chatops').spec.template.spec;
    const container = botContainer(objects);
    const dockerUser = parseDockerfile(readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8')).at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`).toBe(dockerUser);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.securityContext.capabilities.add).toBeUndefined();
    expect(container.securityContext.privileged).not.toBe(true);
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) expect(pod[key]).not.toBe(true);
    // Writable: only /tmp, an emptyDir (the image points HOME and CHATOPS_DATA_DIR there).
    const writable = (container.volumeMounts as KubeObject[]).filter((m) => !m.readOnly);
    expect(writable.map((m) => m.mountPath)).toEqual(['/tmp']);
    expect(pod.volumes.find((v: KubeObject) => v.name === writable[0]!.name).emptyDir).toBeDefined();
    expect(pod.volumes.filter((v: KubeObject) => v.hostPath)).toEqual([]);
  });

  it('gives a shutdown its grace period, and memory above the heap cap of `npm start`', () => {
    const pod = one(objects, 'Deployment', 'chatops').spec.template.spec;
    const graceMs = readShutdownGraceMs(plainEnv(objects));
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
    const { resources } = botContainer(objects);
    expect(resources.requests.cpu).toBeDefined();
    expect(resources.requests.memory).toBeDefined();
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start)![1]);
    const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN);
    expect(mib(resources.limits.memory)).toBeGreaterThan(heapMb);
    expect(mib(resources.requests.memory)).toBeGreaterThanOrEqual(heapMb);
  });

  it('runs several replicas only with Redis, and one replica without it never overlaps its successor', () => {
    const deployment = one(objects, 'Deployment', 'chatops');
    const hasRedis = envOf(objects).get('REDIS_URL')?.valueFrom?.secretKeyRef !== undefined;
    if (overlay === 'example') {
      expect(deployment.spec.replicas).toBe(2);
      expect(hasRedis).toBe(true);
      expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    } else {
      expect(deployment.spec.replicas).toBe(1);
      expect(hasRedis).toBe(false);
      expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    }
    // A drain moves one pod at a time and is never blocked, also with one replica.
    const pdb = one(objects, 'PodDisruptionBudget', 'chatops');
    expect(pdb.spec.maxUnavailable).toBe(1);
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
  });

  it('provides every variable the bot and its chatops.yml read, secrets from a Secret', () => {
    const env = envOf(objects);
    const slackMode = overlay === 'example' ? 'SLACK_SIGNING_SECRET' : 'SLACK_APP_TOKEN';
    const secrets = ['SLACK_BOT_TOKEN', slackMode, 'DATABASE_URL', 'ALERTS_TOKEN', 'CHATOPS_SIGNING_KEYS', ...(overlay === 'example' ? ['REDIS_URL'] : [])];
    const src = readSources(path.join(ROOT, 'src'));
    for (const name of [...secrets, 'PORT', 'CHATOPS_CONFIG', 'SHUTDOWN_GRACE_MS']) {
      // The bot really reads it (a rename in src/ must show up here).
      expect(new RegExp(`env\\.${name}\\b|'${name}'`).test(src), `src/ reads ${name}`).toBe(true);
    }
    const config = mountedConfig(objects).text;
    for (const name of [...secrets, ...configVariables(config)]) {
      const ref = env.get(name)?.valueFrom?.secretKeyRef;
      expect(ref, `${name} from a secretKeyRef`).toBeDefined();
      expect(ref.key).toBe(name);
    }
    // No secret is written into the manifests as a value.
    for (const [name, e] of env) if (/TOKEN|SECRET|KEY|PASSWORD|_URL$/.test(name)) expect(e.value, name).toBeUndefined();
    // Socket Mode or HTTP mode, not both by accident.
    expect(env.has(overlay === 'example' ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET')).toBe(false);
  });

  it('mounts chatops.yml where CHATOPS_CONFIG points, and it loads there with the variables provided', () => {
    const { text, mountedAt } = mountedConfig(objects);
    expect(plainEnv(objects).CHATOPS_CONFIG).toBe(mountedAt);
    if (overlay === 'example') expect(text).toBe(readFileSync(path.join(ROOT, 'chatops.example.yml'), 'utf8'));
    // Loaded from a directory of its own, as in the pod: relative paths (runbooks.dir) resolve
    // against the config's directory, which holds nothing but the file.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-deploy-config-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, text);
    const env = Object.fromEntries(configVariables(text).map((n) => [n, n.endsWith('_URL') ? `postgres://user@host/${n.toLowerCase()}` : `value-of-${n}`]));
    env.CACHE_URL &&= 'redis://cache:6379';
    const config = loadConfig({ file, env });
    expect(config.problems).toEqual([]);
    expect(existsSync(config.runbooks.dir), `runbooks.dir ${config.runbooks.dir}`).toBe(true);
  });

  it('grants the Kubernetes target of chatops.yml exactly its namespaces and restartable workloads', () => {
    const { text } = mountedConfig(objects);
    const targets = Object.values(parseDocument(text).toJS().targets as Record<string, KubeObject>).filter((t) => ['k8s', 'kubernetes', 'kube'].includes(t.kind));
    expect(targets.length).toBeGreaterThan(0);
    const pod = one(objects, 'Deployment', 'chatops').spec.template.spec;
    const account = one(objects, 'ServiceAccount', pod.serviceAccountName);
    const grants = grantsFor(objects, { name: account.metadata.name, namespace: account.metadata.namespace });
    for (const target of targets) {
      // In the cluster, with the pod's service account (no kubeconfig in the image).
      expect(target.inCluster).toBe(true);
      const namespaces = target.namespaces as string[];
      expect(Array.isArray(namespaces), 'namespaces: all needs a ClusterRoleBinding of chatops-read instead').toBe(true);
      const readBindings = grants.filter((g) => g.binding.startsWith('RoleBinding/') && g.binding.endsWith('/chatops-read')).map((g) => g.namespace).sort();
      expect(readBindings).toEqual([...namespaces].sort());
      for (const ns of namespaces) expect(allowed(grants, { verb: 'list', group: '', resource: 'pods', namespace: ns })).toBe(true);
      const workloads = (target.restartable as string[]).map((entry) => parseRestartable(entry)!);
      for (const w of workloads) {
        for (const ns of w.namespace ? [w.namespace] : namespaces) {
          const resource = `${w.kind}s`;
          expect(allowed(grants, { verb: 'patch', group: 'apps', resource, namespace: ns, name: w.name }), `patch ${resource}/${w.name} in ${ns}`).toBe(true);
          if (w.kind !== 'daemonset') expect(allowed(grants, { verb: 'patch', group: 'apps', resource: `${resource}/scale`, namespace: ns, name: w.name })).toBe(true);
        }
      }
      // Nothing patchable beyond the list: every named workload a Role grants is on it, in its namespace.
      for (const g of grants) {
        for (const rule of g.rules) {
          if (!rule.verbs.includes('patch')) continue;
          for (const name of rule.resourceNames ?? []) {
            expect(workloads.some((w) => w.name === name && (w.namespace ?? g.namespace) === g.namespace && (!w.namespace || namespaces.includes(w.namespace))), `${g.binding} may patch ${name}, which restartable does not list`).toBe(true);
          }
        }
      }
      // Deleting pods only with deletePods: true.
      for (const ns of namespaces) expect(allowed(grants, { verb: 'delete', group: '', resource: 'pods', namespace: ns, name: 'x' })).toBe(target.deletePods === true);
    }
  });
});

describe('deploy/kubernetes components', () => {
  it('the base and the single overlay apply on a cluster without Prometheus Operator or an Ingress', () => {
    for (const objects of [renderKustomize(path.join(KUSTOMIZE, 'base')), rendered.single]) {
      expect(objects.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'Ingress')).toEqual([]);
      expect(objects.every((o) => !String(o.apiVersion).startsWith('monitoring.coreos.com/'))).toBe(true);
    }
  });

  it('the example\'s ServiceMonitor scrapes /metrics on the Service\'s port', () => {
    const monitor = one(rendered.example, 'ServiceMonitor', 'chatops');
    const service = one(rendered.example, 'Service', 'chatops');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[k]).toBe(v);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' })]);
    // The operator names the job after the Service (no jobLabel): the job the bot's alert rules select.
    expect(monitor.spec.jobLabel).toBeUndefined();
    const jobs = new Set([...readFileSync(path.join(ROOT, 'deploy/monitoring/chatops-rules.yml'), 'utf8').matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
    expect([...jobs]).toEqual([service.metadata.name]);
  });

  it('the example\'s Ingress routes Slack, Alertmanager, heartbeats and the health checks, and nothing else', () => {
    const ingress = one(rendered.example, 'Ingress', 'chatops');
    const paths = ingress.spec.rules.flatMap((r: KubeObject) => r.http.paths) as KubeObject[];
    const routes = paths.map((p) => `${p.pathType} ${p.path}`).sort();
    expect(routes).toEqual(['Exact /alerts/alertmanager', 'Exact /healthz', 'Exact /readyz', 'Exact /slack/events', 'Prefix /heartbeats'].sort());
    expect(routes).toContain(`Exact ${ALERTMANAGER_PATH}`);
    expect(routes).toContain(`Prefix ${HEARTBEAT_PATH.split('/:')[0]}`);
    // /metrics and everything else stay inside the cluster.
    expect(paths.some((p) => p.path === '/' || p.path === '/metrics')).toBe(false);
    const service = one(rendered.example, 'Service', 'chatops');
    for (const p of paths) expect(p.backend.service).toEqual({ name: service.metadata.name, port: { name: service.spec.ports[0].name } });
  });
});

/** All TypeScript of src/, to check that the bot reads a variable by that name (env.NAME, or the name as a constant). */
function readSources(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
}
