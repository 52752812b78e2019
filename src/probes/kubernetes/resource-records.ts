// What one diagnosis keeps of the resources beyond pods and workloads (services, endpoint slices,
// ingresses, volume claims, autoscalers, jobs, cronjobs, disruption budgets, certificates): small
// records folded from each page as it arrives, mostly only the objects that may be at fault, with
// counts for the rest. The checks under checks/ judge them.

export interface ObjectRef {
  namespace: string;
  name: string;
}

export interface ServicePort {
  port: number;
  name?: string;
}

export interface ServiceRecord extends ObjectRef {
  type: string;
  /** `app=api,tier=web`; undefined for a service without a selector (its endpoints are managed by hand). */
  selector?: string;
  ports: ServicePort[];
}

export interface IngressBackend {
  service: string;
  /** The port by number or by name, as the Ingress names it. */
  port?: number | string;
  /** `default backend`, or `host/path`. */
  route: string;
}

export interface IngressRecord extends ObjectRef {
  /** The first backends (MAX_INGRESS_BACKENDS in collect-resources.ts); `unchecked` counts the others. */
  backends: IngressBackend[];
  unchecked: number;
}

export interface ClaimRecord extends ObjectRef {
  phase: string;
  createdAt?: Date;
  /** spec.storageClassName; undefined = the cluster's default class. */
  storageClass?: string;
  /** spec.storageClassName: "" asks for no class at all (a pre-provisioned volume). */
  noClass: boolean;
  capacity?: string;
}

export interface HpaRecord extends ObjectRef {
  target: string;
  current: number;
  min: number;
  max: number;
  /** ScalingLimited=True reason TooManyReplicas. */
  limitedTooMany?: string;
  /** ScalingActive=False (other than ScalingDisabled): reason and message. */
  inactive?: { reason: string; message: string };
}

export interface JobRecord extends ObjectRef {
  /** The CronJob that created it, when one did. */
  cronJob?: string;
  failedAt: Date;
  reason: string;
  message: string;
}

export interface CronJobRecord extends ObjectRef {
  schedule: string;
  timeZone?: string;
  /** status.lastScheduleTime, else creationTimestamp (never scheduled yet). */
  since?: Date;
  neverScheduled: boolean;
  startingDeadlineSeconds?: number;
  concurrencyPolicy: string;
  active: number;
  lastSuccessfulTime?: Date;
}

export interface PdbRecord extends ObjectRef {
  currentHealthy: number;
  expectedPods: number;
  /** "minAvailable 3", "maxUnavailable 0". */
  rule: string;
}

export interface CertificateRecord extends ObjectRef {
  secretName?: string;
  dnsNames: string[];
  ready?: { status: string; reason?: string; message?: string; since?: Date };
  /** Issuing=True: since when. */
  issuingSince?: Date;
  notAfter?: Date;
}

export interface VolumeUsage {
  usedBytes: number;
  capacityBytes: number;
}

export interface ResourceRecords {
  /** `<ns>/<name>` -> every service listed (ports for the ingress check). */
  services: Map<string, ServiceRecord>;
  /** Services listed but not kept (more than the records kept): absent from `services`, never judged missing. */
  servicesDropped: number;
  /** `<ns>/<service>` -> ready endpoints over its EndpointSlices. */
  readyEndpoints: Map<string, number>;
  /** EndpointSlices of services not kept in `readyEndpoints`: a service absent from it is then not judged. */
  slicesDropped: number;
  ingresses: IngressRecord[];
  ingressCount: number;
  /** Claims that are not Bound (Pending, Lost), and the bound ones pods mount (for fullness). */
  claims: ClaimRecord[];
  claimCount: number;
  /** `<ns>/<claim>` -> the node of a pod that mounts it ('' when not scheduled yet). */
  claimsInUse: Map<string, string>;
  /** StorageClass name -> volumeBindingMode. */
  storageClasses: Map<string, string>;
  defaultStorageClass?: string;
  /** `<ns>/<claim>` -> the kubelet's numbers, when its stats could be read. */
  volumeUsage: Map<string, VolumeUsage>;
  /** Why the kubelet's volume stats could not be read (when they were wanted). */
  volumeStatsProblem?: string;
  hpas: HpaRecord[];
  hpaCount: number;
  failedJobs: JobRecord[];
  jobCount: number;
  /** `<ns>/<cronjob>` -> when a Job of it last completed. */
  lastSuccess: Map<string, Date>;
  /** The CronJobs not suspended, up to the records kept per run. */
  cronJobs: CronJobRecord[];
  cronJobCount: number;
  cronJobsSuspended: number;
  pdbs: PdbRecord[];
  pdbCount: number;
  certificates: CertificateRecord[];
  certificateCount: number;
  /** No cert-manager.io/v1 API on the server (the list answered 404). */
  certManagerAbsent: boolean;
}

export function emptyRecords(): ResourceRecords {
  return {
    services: new Map(),
    servicesDropped: 0,
    readyEndpoints: new Map(),
    slicesDropped: 0,
    ingresses: [],
    ingressCount: 0,
    claims: [],
    claimCount: 0,
    claimsInUse: new Map(),
    storageClasses: new Map(),
    volumeUsage: new Map(),
    hpas: [],
    hpaCount: 0,
    failedJobs: [],
    jobCount: 0,
    lastSuccess: new Map(),
    cronJobs: [],
    cronJobCount: 0,
    cronJobsSuspended: 0,
    pdbs: [],
    pdbCount: 0,
    certificates: [],
    certificateCount: 0,
    certManagerAbsent: false,
  };
}
