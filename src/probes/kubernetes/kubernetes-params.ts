// The parameters of the Kubernetes actions, declared once for the buttons, the press-time check
// and the executors' own check before a name reaches a request path.
import type { IntegerParam, StringParam } from '../../actions/param-spec.ts';
import { WORKLOAD_KINDS } from './kube-target.ts';

const DNS1123_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';

/** A Kubernetes namespace: a DNS-1123 label. */
export const K8S_NAMESPACE: StringParam = {
  type: 'string',
  maxLength: 63,
  pattern: new RegExp(`^${DNS1123_LABEL}$`),
  accepts: 'a Kubernetes namespace name (DNS-1123 label): 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
};

/** A pod or workload name: a DNS-1123 subdomain (labels separated by single dots). */
export const K8S_NAME: StringParam = {
  type: 'string',
  maxLength: 253,
  pattern: new RegExp(`^${DNS1123_LABEL}(?:\\.${DNS1123_LABEL})*$`),
  accepts: 'a Kubernetes object name (DNS-1123 subdomain): 1 to 253 lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit',
};

/** A container name: a DNS-1123 label. */
export const K8S_CONTAINER: StringParam = {
  type: 'string',
  maxLength: 63,
  pattern: new RegExp(`^${DNS1123_LABEL}$`),
  accepts: 'a Kubernetes container name (DNS-1123 label): 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
};

export const K8S_WORKLOAD_KIND: StringParam = { type: 'string', maxLength: 11, enum: WORKLOAD_KINDS, accepts: 'one of deployment, statefulset, daemonset' };

/** Kubernetes replica counts are int32. */
export const K8S_REPLICA_COUNT: IntegerParam = { type: 'integer', min: 0, max: 2_147_483_647, accepts: 'a whole number from 0 to 2147483647 (the current replica count)' };

/** What Scale accepts from its dialog: the bound the dialog says, checked again when the action runs. */
export const SCALE_REPLICAS: IntegerParam = { type: 'integer', min: 0, max: 100, accepts: 'a whole number from 0 to 100' };

/** Roll back: deployments only (kubectl rollout undo of a statefulset or daemonset works differently). */
export const K8S_ROLLBACK_KIND: StringParam = { type: 'string', maxLength: 10, enum: ['deployment'], accepts: 'deployment (only deployments can be rolled back here)' };

/** A Deployment revision: the deployment.kubernetes.io/revision annotation of one of its ReplicaSets. */
export const K8S_REVISION: IntegerParam = { type: 'integer', min: 1, max: 2_147_483_647, accepts: 'a revision number from 1 to 2147483647' };

/** What a rollback changes, for its confirmation ("api:1.8.2 → api:1.8.1"); one line, no control characters. */
export const ROLLBACK_CHANGE: StringParam = {
  type: 'string',
  maxLength: 300,
  maxBytes: 1200,
  pattern: /^[^\p{Cc}\p{Cf}]+$/u,
  accepts: 'one line of at most 300 characters saying what the rollback changes (images)',
};

export const YES_NO: StringParam = { type: 'string', maxLength: 3, enum: ['yes', 'no'], accepts: 'yes or no' };
