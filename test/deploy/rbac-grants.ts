// What RBAC objects grant one ServiceAccount: its bindings resolved to their rules, each with
// the namespace it applies in (undefined = cluster-wide), and whether a request is allowed.

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
export interface Grant {
  rules: Rule[];
  /** undefined = cluster-wide */
  namespace?: string;
  /** The binding that grants it: RoleBinding/prod/chatops-read. */
  binding: string;
}
export interface ApiRequest {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

// Parsed YAML of several kinds, read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

export function grantsFor(docs: Doc[], account: { name: string; namespace: string }): Grant[] {
  const roles = new Map<string, Rule[]>();
  for (const d of docs) {
    if (d.kind === 'ClusterRole') roles.set(`ClusterRole/${d.metadata.name}`, d.rules);
    if (d.kind === 'Role') roles.set(`Role/${d.metadata.namespace}/${d.metadata.name}`, d.rules);
  }
  const grants: Grant[] = [];
  for (const d of docs) {
    if (d.kind !== 'RoleBinding' && d.kind !== 'ClusterRoleBinding') continue;
    const boundToUs = (d.subjects as Array<{ kind: string; name: string; namespace: string }>).some((s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace);
    if (!boundToUs) continue;
    const key = d.roleRef.kind === 'ClusterRole' ? `ClusterRole/${d.roleRef.name}` : `Role/${d.metadata.namespace}/${d.roleRef.name}`;
    const rules = roles.get(key);
    if (!rules) throw new Error(`${d.kind} ${d.metadata.name} refers to ${key}, which is not defined`);
    const binding = d.kind === 'RoleBinding' ? `RoleBinding/${d.metadata.namespace}/${d.metadata.name}` : `ClusterRoleBinding/${d.metadata.name}`;
    grants.push({ rules, binding, ...(d.kind === 'RoleBinding' && { namespace: d.metadata.namespace }) });
  }
  return grants;
}

export function allowed(grants: Grant[], r: ApiRequest): boolean {
  return grants.some((g) => (g.namespace === undefined || g.namespace === r.namespace) && g.rules.some((rule) =>
    rule.apiGroups.includes(r.group) && rule.resources.includes(r.resource) && rule.verbs.includes(r.verb) &&
    (!rule.resourceNames || (r.name !== undefined && rule.resourceNames.includes(r.name)))));
}
