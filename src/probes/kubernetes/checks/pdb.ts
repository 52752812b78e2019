// PodDisruptionBudgets (policy/v1) that allow no disruption although every pod they cover is
// healthy: they refuse every eviction, so a node drain (upgrades, autoscaler scale-down) hangs.
import { finding, type KubeCheck } from '../check-context.ts';
import { objectLabel, perObject } from '../object-findings.ts';

export const checkPdb: KubeCheck = (ctx) => {
  const r = ctx.snapshot.resources;
  const bad = r.pdbs.map((b) => {
    const label = objectLabel('poddisruptionbudget', b);
    return {
      label,
      ...finding('pdb', 'warn', `${label}: 0 disruptions allowed with all ${b.expectedPods} pods healthy (${b.rule}): it blocks every eviction`, {
        detail: `currentHealthy ${b.currentHealthy}, expectedPods ${b.expectedPods}; kubectl drain waits on it forever\nkubectl get pdb ${b.name} -n ${b.namespace} -o yaml`,
        metrics: { expected_pods: b.expectedPods },
        fix: `let at least one pod go: lower minAvailable (or raise maxUnavailable) of ${b.name} below its ${b.expectedPods} pods, or scale the workload up`,
      }),
    };
  });
  if (bad.length === 0) return [finding('pdb', 'ok', `No disruption budget blocks evictions (${r.pdbCount} budgets)`)];
  return perObject('pdb', bad, 'disruption budgets blocking evictions');
};
