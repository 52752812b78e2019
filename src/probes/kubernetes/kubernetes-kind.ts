// The k8s kind: list pods, events, workloads, nodes and the resources around them (services,
// ingresses, claims, autoscalers, jobs, budgets, certificates) a page at a time, fold them into a
// snapshot (kubernetes-session.ts, which loads the Kubernetes client), then judge it with pure
// checks. An API error is a k8s.api finding and the checks that needed that list say they could
// not run. Its buttons (restart, scale, roll back, delete pod, logs) are allowed only for what the target's
// config allows, checked again at every press.
import type { ActionDefinition } from '../../actions/action-definition.ts';
import type { ActionParams } from '../../actions/action-executor.ts';
import type { CheckDefinition, KindDefinition } from '../probe-definition.ts';
import { sortedSecrets } from '../scrub-findings.ts';
import { UserError } from '../../user-error.ts';
import type { KubeCheckContext, KubeCheckName } from './check-context.ts';
import { kubeconfigSecrets } from './kube-secrets.ts';
import { isRestartable, kubeTargetSchema, watchesNamespace, WORKLOAD_KINDS, type KubeTarget } from './kube-target.ts';
import { K8S_CONTAINER, K8S_NAME, K8S_NAMESPACE, K8S_REPLICA_COUNT, K8S_REVISION, K8S_ROLLBACK_KIND, K8S_WORKLOAD_KIND, ROLLBACK_CHANGE, SCALE_REPLICAS, YES_NO } from './kubernetes-params.ts';
import { checkCrashloop } from './checks/crashloop.ts';
import { checkDeployments } from './checks/deployments.ts';
import { checkImagePull } from './checks/image-pull.ts';
import { checkNodes } from './checks/nodes.ts';
import { checkOomKilled } from './checks/oomkilled.ts';
import { checkPending } from './checks/pending.ts';
import { checkReadiness } from './checks/readiness.ts';
import { checkRestarts } from './checks/restarts.ts';
import { checkWarningEvents } from './checks/warning-events.ts';
import { checkServices } from './checks/services.ts';
import { checkIngresses } from './checks/ingresses.ts';
import { checkVolumes } from './checks/volumes.ts';
import { checkHpa } from './checks/hpa.ts';
import { checkJobs } from './checks/jobs.ts';
import { checkCronJobs } from './checks/cronjobs.ts';
import { checkPdb } from './checks/pdb.ts';
import { checkCertificates } from './checks/certificates.ts';
import { checkResources } from './checks/resources.ts';

type KubeCheck = CheckDefinition<KubeCheckContext> & { name: KubeCheckName };

const POD_LISTS = ['pods'];

const checks: readonly KubeCheck[] = [
  { name: 'api', label: 'API', description: 'The API server answers, the credentials are accepted, the namespaces exist and every list is allowed (a 403 names the missing verb and resource). A context or kubeconfig file that is not there, or a server host name that does not resolve, is the bot\'s configuration (unknown, with the fix), not an outage.' },
  { name: 'crashloop', label: 'Crashloops', needs: POD_LISTS, description: 'Containers (init containers too) waiting in CrashLoopBackOff: restart count and how the last run ended; 2+ restarts = crit.', run: checkCrashloop },
  { name: 'oomkilled', label: 'OOM kills', needs: POD_LISTS, description: 'Containers whose current or last run ended OOMKilled, with their memory limit and request.', thresholds: { warn: 1440, crit: 60, unit: 'min since the kill (below)' }, run: checkOomKilled },
  { name: 'image_pull', label: 'Image pulls', needs: POD_LISTS, description: 'ImagePullBackOff / ErrImagePull classified from the kubelet\'s words: not found, unauthorized, registry unreachable.', thresholds: { warn: 0, crit: 120, unit: 's failing' }, run: checkImagePull },
  { name: 'pending', label: 'Pending pods', needs: POD_LISTS, description: 'Pods Pending too long, with the scheduler\'s reason (insufficient cpu/memory, taints, volume claims) or what blocks the containers.', thresholds: { warn: 300, crit: 900, unit: 's pending' }, run: checkPending },
  { name: 'deployments', label: 'Workloads', needs: ['deployments', 'statefulsets', 'daemonsets'], description: 'Deployments, statefulsets and daemonsets with unavailable replicas (crit by fraction or when none is available), ProgressDeadlineExceeded, or paused.', thresholds: { warn: 0, crit: 50, unit: '% of replicas unavailable' }, run: checkDeployments },
  { name: 'restarts', label: 'Restarts', needs: POD_LISTS, description: 'Restart count growth since the previous run, per workload, as restarts per 10 minutes.', thresholds: { warn: 4, crit: 10, unit: 'restarts per 10 min' }, run: checkRestarts },
  { name: 'readiness', label: 'Readiness', needs: POD_LISTS, description: 'Running containers not ready for a while, with the newest Unhealthy / ProbeError event.', thresholds: { warn: 60, crit: Infinity, unit: 's not ready (warn only by default)' }, run: checkReadiness },
  { name: 'nodes', label: 'Nodes', description: 'Node Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable, cordoned.', run: checkNodes },
  { name: 'warning_events', label: 'Warning events', description: 'Recent Warning events grouped by reason, newest message of each (informational; volume, eviction and sandbox failures warn).', run: checkWarningEvents },
  { name: 'services', label: 'Services', needs: ['services', 'endpointslices'], description: 'Services with a selector and no ready endpoint in their EndpointSlices (discovery.k8s.io/v1): warn, crit when an Ingress routes to them. Selector-less and ExternalName services are skipped.', run: checkServices },
  { name: 'ingresses', label: 'Ingresses', needs: ['ingresses', 'services'], description: 'Ingress (networking.k8s.io/v1) rules and default backends pointing at a Service that does not exist or at a port it does not have.', run: checkIngresses },
  { name: 'volumes', label: 'Volume claims', needs: ['persistentvolumeclaims', 'storageclasses', 'pods'], description: 'PersistentVolumeClaims Pending too long (a WaitForFirstConsumer claim no pod uses is fine), Lost, or full (volumeFullPct, default 80/90 %) when the kubelet\'s volume stats are readable (get nodes/proxy, optional).', thresholds: { warn: 5, crit: 30, unit: 'min pending' }, run: checkVolumes },
  { name: 'hpa', label: 'Autoscalers', needs: ['horizontalpodautoscalers'], description: 'HorizontalPodAutoscalers (autoscaling/v2) held at their maximum (ScalingLimited, TooManyReplicas) or unable to compute their metrics (ScalingActive=False, with the message).', run: checkHpa },
  { name: 'jobs', label: 'Jobs', needs: ['jobs'], description: 'Jobs failed within the window, unless a later run of the same CronJob succeeded (warn).', thresholds: { warn: 1440, crit: -Infinity, unit: 'min since the failure (warn within; never crit)' }, run: checkJobs },
  { name: 'cronjobs', label: 'CronJobs', needs: ['cronjobs'], description: 'CronJobs, not suspended, that missed runs: counted along their schedule (time zone, @hourly/@daily macros) from their last schedule time, after startingDeadlineSeconds.', thresholds: { warn: 2, crit: Infinity, unit: 'missed runs' }, run: checkCronJobs },
  { name: 'pdb', label: 'Disruption budgets', needs: ['poddisruptionbudgets'], description: 'PodDisruptionBudgets (policy/v1) allowing 0 disruptions while all their pods are healthy: every eviction is refused and node drains hang.', run: checkPdb },
  { name: 'resources', label: 'Resource usage', needs: POD_LISTS, description: 'From the metrics server (metrics.k8s.io/v1beta1, when installed; unknown with the install command when not): containers near their memory limit before the OOM kill (% of the limit), containers at their cpu limit (resourceUsagePct.cpu, warn 90: throttled), nodes near their allocatable memory (resourceUsagePct.nodeMemory, 90/97) or cpu (resourceUsagePct.nodeCpu, warn 90). Pods without a memory limit or requests are listed in an ok finding.', thresholds: { warn: 90, crit: 97, unit: '% of the container\'s memory limit' }, run: checkResources },
  // Answered by `/diag logs` (logs/diag-logs.ts), never in the normal diagnosis.
  { name: 'log_patterns', label: 'Log patterns', description: 'Only with /diag logs [target] <workload|pod> [since] (default 15m, at most 24h): the error lines (level error/fatal/critical/panic, or the words error, exception, panic, fatal where they do not say "none") of every pod and container of the workload, previous instances included, grouped by pattern (numbers, UUIDs, hex, times and IPs masked), most frequent first with count, first/last seen and a masked example; each pattern warns (fatal ones marked), never crit. Reads at most 50 pods, 2 MiB per container (the most recent) and 20 MiB in all, and says what a bound cut.', applies: () => false },
  { name: 'certificates', label: 'Certificates', needs: ['certificates'], description: 'cert-manager Certificates (when installed): Ready=False crit (warn during the first certificateIssuingGraceMinutes of an issuance), expiring by status.notAfter.', thresholds: { warn: 14, crit: 3, unit: 'days to expiry' }, run: checkCertificates },
];

function refuseWorkload(t: KubeTarget, p: ActionParams): string | undefined {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(String(p.workload))) return `"${p.workload}" is not a deployment, statefulset or daemonset`;
  if (!watchesNamespace(t, String(p.namespace))) return `namespace ${p.namespace} is not watched by ${t.name}`;
  if (!isRestartable(t, String(p.namespace), String(p.workload), String(p.name))) {
    return `${p.workload}/${p.name} in ${p.namespace} is not on the restartable list of ${t.name}`;
  }
  return undefined;
}

function refuseNamespace(t: KubeTarget, p: ActionParams): string | undefined {
  return watchesNamespace(t, String(p.namespace)) ? undefined : `namespace ${p.namespace} is not watched by ${t.name}`;
}

/** Namespaces named in an endpoint; more are counted. */
const ENDPOINT_NAMESPACES = 3;

/**
 * Which cluster the target reaches, without credentials and without reading the kubeconfig:
 * "context prod, namespace payments", "in-cluster", "https://10.0.0.1:6443".
 */
function describeEndpoint(target: KubeTarget): string {
  let where: string;
  if (target.server) {
    try {
      const u = new URL(target.server);
      where = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
    } catch {
      where = 'API server';
    }
  } else if (target.inCluster) where = 'in-cluster';
  else if (target.context) where = `context ${target.context}`;
  else if (target.kubeconfig) where = `current context of ${target.kubeconfig}`;
  else where = 'current kube context';
  const ns = target.namespaces;
  if (!Array.isArray(ns)) return where;
  const named = ns.slice(0, ENDPOINT_NAMESPACES).join(', ');
  const more = ns.length > ENDPOINT_NAMESPACES ? ` and ${ns.length - ENDPOINT_NAMESPACES} more` : '';
  return `${where}, ${ns.length === 1 ? 'namespace' : 'namespaces'} ${named}${more}`;
}

/** The executors hold the Kubernetes client: loaded on the first press. */
const executors = async () => (await import('./kubernetes-actions.ts')).KUBERNETES_EXECUTORS;

const actions: readonly ActionDefinition<KubeTarget>[] = [
  {
    id: 'k8s.restart',
    title: 'Restart',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, workload: K8S_WORKLOAD_KIND, name: K8S_NAME, replicas: K8S_REPLICA_COUNT },
    describe: (p, target) => `Restart ${p.workload} ${p.name} in ${target}/${p.namespace}: ${Number(p.replicas) > 0 ? `${p.replicas} ${p.replicas === 1 ? 'pod' : 'pods'}` : 'its pods'} will be replaced one by one (kubectl rollout restart); the rollout is watched here.`,
    refuse: refuseWorkload,
    executor: async () => (await executors())['k8s.restart'],
  },
  {
    id: 'k8s.scale',
    title: 'Scale',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, workload: K8S_WORKLOAD_KIND, name: K8S_NAME, replicas: SCALE_REPLICAS },
    input: { param: 'replicas', label: 'Replicas', min: SCALE_REPLICAS.min, max: SCALE_REPLICAS.max },
    describe: (p, target) => `Scale ${p.workload} ${p.name} in ${target}/${p.namespace}${p.replicas === undefined ? '' : ` to ${p.replicas} replicas`}.`,
    refuse: (t, p) => refuseWorkload(t, p) ?? (p.workload === 'daemonset' ? 'a daemonset runs one pod per node and cannot be scaled' : undefined),
    executor: async () => (await executors())['k8s.scale'],
  },
  {
    id: 'k8s.delete_pod',
    title: 'Delete pod',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, pod: K8S_NAME },
    describe: (p, target) => `Delete pod ${p.pod} in ${target}/${p.namespace}: its controller starts a new one; a pod without a controller is gone for good.`,
    refuse: (t, p) => (t.deletePods ? refuseNamespace(t, p) : `${t.name} does not allow deleting pods (deletePods is not set)`),
    executor: async () => (await executors())['k8s.delete_pod'],
  },
  {
    id: 'k8s.rollback',
    title: 'Roll back',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, workload: K8S_ROLLBACK_KIND, name: K8S_NAME, revision: K8S_REVISION, change: ROLLBACK_CHANGE },
    describe: (p, target) => `Roll back ${p.workload} ${p.name} in ${target}/${p.namespace} to revision ${p.revision}: ${p.change} (kubectl rollout undo --to-revision=${p.revision}); its pods are replaced one by one and the rollout is watched here.`,
    refuse: refuseWorkload,
    executor: async () => (await executors())['k8s.rollback'],
  },
  {
    id: 'k8s.logs',
    title: 'Logs',
    destructive: false,
    params: { namespace: K8S_NAMESPACE, pod: K8S_NAME, container: K8S_CONTAINER, previous: YES_NO },
    describe: (p, target) => `Post the last 50 log lines of ${p.pod}/${p.container} in ${target}/${p.namespace}${p.previous === 'yes' ? ' (previous instance)' : ''} in the thread.`,
    refuse: (t, p) => refuseNamespace(t, p) ?? (p.previous === 'yes' || p.previous === 'no' ? undefined : `previous must be yes or no, got "${p.previous}"`),
    executor: async () => (await executors())['k8s.logs'],
  },
];

export const kubernetesKind: KindDefinition<KubeTarget, KubeCheckContext> = {
  kind: 'k8s',
  aliases: ['kubernetes', 'kube'],
  description: 'Kubernetes: crashloops, OOM kills, image pulls, pending pods, workload availability and rollouts (with the recent deploy as evidence, and a rollback), restarts, readiness, nodes, warning events, services and ingresses, volume claims, autoscalers, jobs and cronjobs, disruption budgets, cert-manager certificates, memory and cpu usage against limits',
  targetSchema: kubeTargetSchema,
  fromUrl: (url) => kubeTargetSchema.parse({ server: url }),
  checks,
  actions,
  trends: [],
  secrets: (target) => sortedSecrets(target.token ? [target.token] : []),
  /** The kubeconfig user's credentials, or the service account token: not in the target's keys. */
  externalSecrets: kubeconfigSecrets,
  /** `/diag k8s <target> <namespace>`: one of the target's namespaces (any, when it watches all). */
  scopeWord: 'namespace',
  narrow(target, args) {
    if (args.length === 0) return target;
    const [namespace, ...extra] = args;
    if (extra.length > 0) throw new UserError(`too many words after ${target.name}: ${args.join(' ')}; expected at most a namespace`);
    if (!watchesNamespace(target, namespace!)) {
      throw new UserError(`${target.name} does not watch namespace "${namespace}"; its namespaces: ${(target.namespaces as string[]).join(', ')}`);
    }
    return { ...target, namespaces: [namespace!] };
  },
  describeScope: (target) => (Array.isArray(target.namespaces) && target.namespaces.length === 1 ? ` (namespace ${target.namespaces[0]})` : ''),
  describeEndpoint,
  runtime: async () => (await import('./kubernetes-session.ts')).kubernetesSession,
};
