// The README's reference of the kinds, written from their definitions: the keys of a target, and
// per kind its checks with their default thresholds, its buttons and its trend metrics.
// scripts/generate-reference.ts puts it between the README's generated:kinds markers; a test
// fails when the README differs.
import { z } from 'zod';
import type { DefaultThresholds, KindDefinition, TargetBase } from './probe-definition.ts';

export const REFERENCE_START = '<!-- generated:kinds:start -->';
export const REFERENCE_END = '<!-- generated:kinds:end -->';

export function kindsReference(kinds: readonly KindDefinition<TargetBase>[]): string {
  const out: string[] = [
    REFERENCE_START,
    '<!-- Written by `npm run reference` from src/probes/<kind>/<kind>-kind.ts: edit the kinds, not this. -->',
    '',
    'Keys of a target besides `kind`, `timeoutMs` and `thresholds`:',
    '',
    '| kind | keys |',
    '|---|---|',
    ...kinds.map((k) => `| \`${k.kind}\` | ${cell(targetKeys(k))} |`),
  ];
  for (const k of kinds) {
    out.push('', `#### \`${k.kind}\`${k.aliases.length ? ` (also ${k.aliases.map((a) => `\`${a}\``).join(', ')})` : ''}`, '', `${k.description}.`, '');
    out.push('| check | what it looks at | default warn / crit |', '|---|---|---|');
    for (const c of k.checks) out.push(`| \`${c.name}\` | ${cell(c.description)} | ${c.thresholds ? cell(thresholds(c.thresholds)) : '—'} |`);
    if (k.actions.length > 0) {
      out.push('', '| button (action id) | parameters | destructive |', '|---|---|---|');
      for (const a of k.actions) {
        const params = Object.keys(a.params).map((p) => `\`${p}\`${a.input?.param === p ? ' (chosen in a dialog)' : ''}`).join(', ') || '—';
        out.push(`| ${cell(a.title)} (\`${a.id}\`) | ${params} | ${a.destructive ? 'yes (confirmed; needs an `access` grant)' : 'no'} |`);
      }
    }
    if (k.trends.length > 0) {
      out.push('', `Digest trend chart: ${k.trends.map((t) => `${t.label} (\`${k.kind}.${t.check.name}\` metric \`${t.metric}\`)`).join(', ')}.`);
    }
  }
  out.push(REFERENCE_END);
  return out.join('\n');
}

/** README with the text between the markers replaced; throws when the markers are missing. */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${REFERENCE_START} ... ${REFERENCE_END} section`);
  return readme.slice(0, start) + reference + readme.slice(end + REFERENCE_END.length);
}

function targetKeys(k: KindDefinition<TargetBase>): string {
  const schema = k.targetSchema;
  if (!(schema instanceof z.ZodObject)) return '(see the kind definition)';
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .map(([key, field]) => (field.description ? `\`${key}\`: ${field.description}` : `\`${key}\``))
    .join('; ');
}

function thresholds(t: DefaultThresholds): string {
  const n = (v: number) => (Number.isFinite(v) ? String(v) : '—');
  return `${n(t.warn)} / ${n(t.crit)} ${t.unit}`;
}

/** Text fit for a table cell: no pipe ends the cell early, no line break ends the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
