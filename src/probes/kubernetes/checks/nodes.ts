// Node health: NotReady and pressure conditions are crit, a cordoned node is a warning. Cordon
// and drain stay manual: the report says what is wrong, never moves workloads by itself.
import { finding, type KubeCheck } from '../check-context.ts';

export const checkNodes: KubeCheck = (ctx) => {
  const nodes = ctx.snapshot.nodes;
  const failed = ctx.snapshot.failed.find((f) => f.resource === 'nodes');
  if (!nodes) return [finding('nodes', 'unknown', `Nodes: could not check (${failed?.problem.text ?? 'not listed'})`)];
  if (nodes.problems.length === 0) return [finding('nodes', 'ok', `All ${nodes.count} nodes Ready, no pressure`)];
  return nodes.problems.map((n) => {
    const parts = [...(n.ready ? [] : [`NotReady${n.readyMessage ? ` (${n.readyMessage})` : ''}`]), ...n.pressures, ...(n.unschedulable ? ['cordoned (unschedulable)'] : [])];
    const status = !n.ready || n.pressures.length > 0 ? 'crit' : 'warn';
    return finding('nodes', status, `Node ${n.name}: ${parts.join(', ')}`, {
      detail: `kubectl describe node ${n.name}`,
      ...(n.unschedulable && { fix: `kubectl uncordon ${n.name} when it is healthy again` }),
    });
  });
};
