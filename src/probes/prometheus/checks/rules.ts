// Rule groups whose rules fail to evaluate (health "err", lastError): their alerts cannot fire
// and their recorded series stop. A group whose evaluation takes longer than its interval
// misses evaluations. Either is a warning.
import type { Finding } from '../../../report.ts';
import { failedCall, type ApiCheckContext } from '../../http/failed-call.ts';
import { capLines } from '../../http/probe-support.ts';
import { formatMs, plural } from '../../format.ts';
import { rulesSchema } from '../api-types.ts';
import { finding, KIND } from '../check-context.ts';

export async function checkRules(ctx: ApiCheckContext): Promise<Finding[]> {
  const res = await ctx.api.getJson('api/v1/rules', rulesSchema);
  if (!res.ok) return [failedCall(KIND, 'rules', 'Rules', res.failure)];
  const groups = res.data.data.groups;
  const total = groups.reduce((n, g) => n + g.rules.length, 0);
  const failing: string[] = [];
  const slow: string[] = [];
  let failingRules = 0;
  const failingGroups = new Set<string>();
  for (const g of groups) {
    for (const r of g.rules) {
      if (r.health === 'err' || (r.lastError ?? '') !== '') {
        failingRules++;
        failingGroups.add(g.name);
        failing.push(`group ${g.name}${g.file ? ` (${g.file})` : ''}, ${r.type === 'recording' ? 'recording' : 'alerting'} rule ${r.name}: ${r.lastError || 'health err'}`);
      }
    }
    if (g.interval && g.evaluationTime !== undefined && g.evaluationTime > g.interval) {
      slow.push(`group ${g.name}: evaluation takes ${formatMs(g.evaluationTime * 1000)}, longer than its ${formatMs(g.interval * 1000)} interval: evaluations are skipped`);
    }
  }
  const metrics = { groups: groups.length, rules: total, failing: failingRules, slow_groups: slow.length };
  if (groups.length === 0) {
    return [finding('rules', 'ok', 'No rule groups loaded: this Prometheus has no alerting or recording rules', { metrics })];
  }
  if (failingRules === 0 && slow.length === 0) {
    return [finding('rules', 'ok', `${plural(total, 'rule')} in ${plural(groups.length, 'group')} evaluate cleanly`, { metrics })];
  }
  const titleParts: string[] = [];
  if (failingRules) titleParts.push(`${plural(failingRules, 'rule')} failing to evaluate in ${plural(failingGroups.size, 'group')}`);
  if (slow.length) titleParts.push(`${plural(slow.length, 'group')} slower than their interval`);
  const lines = capLines([...failing, ...slow], 10, 'more');
  return [
    finding('rules', 'warn', titleParts.join('; '), {
      detail: lines.join('\n'),
      metrics,
      fix: 'run the rule\'s expression in the Prometheus UI to see the error (many-to-many matching, a renamed metric or label, a query timeout); `promtool check rules FILE` catches syntax errors before a reload.',
    }),
  ];
}
