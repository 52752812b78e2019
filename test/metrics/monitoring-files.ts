// The monitoring files in deploy/monitoring/ as the tests read them: every PromQL expression of the
// Grafana dashboard and the Prometheus rules, and the metric names each one selects.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const MONITORING_DIR = path.join(import.meta.dirname, '../../deploy/monitoring');
export const RULES_FILE = path.join(MONITORING_DIR, 'chatops-rules.yml');
export const RULES_TEST_FILE = path.join(MONITORING_DIR, 'chatops-rules.test.yml');
export const DASHBOARD_FILE = path.join(MONITORING_DIR, 'chatops-dashboard.json');

export interface Expression {
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  type: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

export function dashboardExpressions(): Expression[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ name: string; definition?: string }> } };
  const out: Expression[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `dashboard panel "${p.title}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating.list) {
    const inner = /^label_values\((.*),\s*\w+\)$/.exec(v.definition ?? '')?.[1];
    if (inner) out.push({ where: `dashboard variable $${v.name}`, expr: inner });
  }
  return out;
}

export function ruleExpressions(): Expression[] {
  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: String(r.expr) })));
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names an expression selects: identifiers that are not functions, aggregation
 * keywords, label names (inside braces or a by/without/on list), durations or $variables.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    if (m[1]) continue; // a function or an aggregation: sum(, rate(
    const id = m[0];
    const before = bare.slice(0, m.index);
    if (KEYWORDS.has(id.toLowerCase()) || /[0-9.]$/.test(before)) continue;
    names.add(id);
  }
  return [...names];
}
