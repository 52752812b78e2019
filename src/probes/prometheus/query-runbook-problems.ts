// The runbook ids that the PromQL queries of the prometheus targets name (`queries[i].runbook`),
// checked against the runbooks the bot loaded: a query naming a runbook that does not exist is a
// configuration problem to report when the bot starts and in `chatops config check`, not a Runbook
// button that answers "unknown runbook" to whoever presses it during an incident.
import { KIND } from './check-context.ts';
import { parseQueryConfig } from './query-config.ts';

interface TargetLike {
  name: string;
  kind: string;
  queries?: unknown;
  queryPacks?: unknown;
}

/** One problem per query whose runbook is not among `runbookIds`, at its key (`targets.prom.queries[2].runbook`). */
export function queryRunbookProblems(targets: readonly TargetLike[], runbookIds: { has(id: string): boolean; keys(): Iterable<string> }): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const target of targets) {
    if (target.kind !== KIND) continue;
    const at = `targets.${target.name}`;
    // A target whose queries are bad already has its problems reported by the config loader.
    const parsed = parseQueryConfig(target, at);
    if (!parsed.ok) continue;
    for (const q of parsed.queries) {
      if (q.runbook === undefined || runbookIds.has(q.runbook)) continue;
      const known = [...runbookIds.keys()].sort();
      const shown = known.length > 30 ? `${known.slice(0, 30).join(', ')}, ... (${known.length} in all)` : known.join(', ') || 'none';
      problems.push({
        path: `${q.source}.runbook`,
        message: `no runbook has the id "${q.runbook}" (the runbooks are the .md files of runbooks.dir, the id is the file name without .md); known: ${shown}. Correct the id, add the runbook, or remove the key to use prometheus-queries`,
      });
    }
  }
  return problems;
}
