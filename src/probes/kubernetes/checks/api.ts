// The API itself: reachable, credentials accepted, namespaces present, every list allowed. A
// refused list names the verb and resource the bot's role lacks. A server host name that does
// not resolve is the bot's configuration, not an outage.
import { formatCount } from '../../format.ts';
import type { Finding } from '../../../report.ts';
import { finding, type KubeCheckContext } from '../check-context.ts';

/** Failures that make every request fail alike: said once, not once per list. */
const CLUSTER_WIDE = new Set(['unauthorized', 'unreachable', 'unresolved', 'timeout', 'tls']);

export function checkApi(ctx: Pick<KubeCheckContext, 'snapshot'> & { target?: Pick<KubeCheckContext['target'], 'context' | 'server'> }): Finding[] {
  const s = ctx.snapshot;
  // The pods list is the one every check needs: its failure is the one to name.
  const fatal = [...s.failed].sort((a, b) => Number(b.resource === 'pods') - Number(a.resource === 'pods')).find((f) => CLUSTER_WIDE.has(f.problem.kind));
  if (fatal) {
    const others = s.failed.length - 1;
    const detail = others > 0 ? { detail: `${others} other requests failed as well: ${s.failed.filter((f) => f !== fatal).map((f) => f.what).join(', ')}` } : {};
    if (fatal.problem.kind === 'unresolved') {
      const where = ctx.target?.context ? ` (context ${ctx.target.context})` : ctx.target?.server ? ' (the target\'s server)' : '';
      return [finding('api', 'unknown', `Bot configuration: ${fatal.problem.text}${where}`, { config: true, ...(fatal.problem.fix && { fix: fatal.problem.fix }) })];
    }
    return [finding('api', 'crit', `Cannot ${fatal.what}: ${fatal.problem.text}`, { ...detail, ...(fatal.problem.fix && { fix: fatal.problem.fix }) })];
  }
  const findings = [];
  for (const ns of s.missingNamespaces) {
    findings.push(finding('api', 'crit', `Namespace ${ns} not found on ${s.server}`, {
      fix: `correct the namespaces of this target in the bot's config (kubectl get namespaces lists them), or create namespace ${ns}`,
    }));
  }
  for (const f of s.failed) {
    const status = f.problem.kind === 'forbidden' || f.problem.kind === 'not_found' ? 'warn' : 'crit';
    findings.push(finding('api', status, `Cannot ${f.what}: ${f.problem.text}`, { ...(f.problem.fix && { fix: f.problem.fix }) }));
  }
  if (findings.length > 0) return findings;
  const scope = s.scope === 'all' ? 'all namespaces' : s.scope.join(', ');
  return [finding('api', 'ok', `API ${s.server} answered: ${formatCount(s.podCount)} pods, ${formatCount(s.workloadCount)} workloads in ${scope}, ${s.nodes?.count ?? 0} nodes (${s.pageCount} pages)`)];
}
