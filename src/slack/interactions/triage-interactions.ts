// A report's Explain button: the /triage answer for the report's own findings, posted in the
// report's thread. The findings travel in the button's signed value (what the report showed; no
// probe runs again), checked for shape here before anything reads them: the causes are the
// runbooks whose evidence those findings confirm, weighed as /triage weighs them.
import { describeErrorLine } from '../../answer-error.ts';
import type { TriageExplainIntent } from '../../message/intent.ts';
import { errorMessage } from '../../message/message.ts';
import type { Report, Status } from '../../report.ts';
import { buildReport } from '../../report.ts';
import { cutText } from '../../render/cut-text.ts';
import { triageFromReports } from '../../triage/triage-from-reports.ts';
import { triageMessage } from '../../triage/triage-message.ts';
import { SLACK_BUDGET } from '../slack-budget.ts';
import type { Decoded, InteractionFamily, IntentOf } from './interaction.ts';

const DAY = 24 * 3600_000;
export const TRIAGE_EXPLAIN_ACTION = 'triage:explain';

/** What a value may hold: a report's findings as its button carries them. */
const MAX_FINDINGS = 60;
const MAX_OK = 200;
const MAX_TEXT = 300;
const STATUSES: ReadonlySet<string> = new Set(['ok', 'warn', 'crit', 'unknown']);

export const TRIAGE_INTERACTIONS = {
  'triage.explain': {
    intent: 'triage.explain',
    actionId: TRIAGE_EXPLAIN_ACTION,
    // <, > and & written as JSON escapes: the value carries findings' titles, text from monitored
    // servers, and nothing of it should read as Slack markup anywhere (JSON.parse restores them).
    encode: (i) => ({ actionId: TRIAGE_EXPLAIN_ACTION, value: JSON.stringify({ report: i.report }).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) }),
    decode: decodeExplain,
    // As long as the report's Declare button: an old report's findings are still what it showed.
    ttlMs: DAY,
    fresh: 'run /diag again, or /triage <what you see>',
    async handle(intent, press, edge) {
      try {
        const started = performance.now();
        const report = reportOf(intent.report);
        const result = triageFromReports({
          symptom: `the findings of ${report.target}`,
          candidates: [],
          reports: [report],
          runbooks: edge.services.runbooks,
          unasked: 'all',
          durationMs: Math.round(performance.now() - started),
        });
        const base = edge.services.config.runbooks.baseUrl;
        const message = triageMessage(result, {
          budget: SLACK_BUDGET,
          about: `Explain: ${report.target}`,
          runbookUrl: (id) => (base && edge.services.runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined),
        });
        // Where the bot cannot post (a report answered through the response URL of a channel it
        // is not in), the presser still gets the answer, privately.
        const posted = press.channel ? await edge.post(press.channel, message, press.threadTs).then(() => true, (err: unknown) => { edge.services.log.warn({ err }, 'the Explain answer could not be posted in the thread; answering the presser'); return false; }) : false;
        if (!posted) await edge.answer(message);
      } catch (error) {
        const text = describeErrorLine(error, edge.services.log, { action: TRIAGE_EXPLAIN_ACTION, user: press.user });
        await edge.answer(errorMessage(text)).catch(() => undefined);
      }
    },
  },
} satisfies InteractionFamily;

function decodeExplain(value: string): Decoded<IntentOf<'triage.explain'>> {
  const refused = (why: string) => ({ ok: false as const, problem: `This Explain button is not valid: ${why}: run /diag again` });
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return refused('its value is not JSON');
  }
  const r = (v as { report?: unknown } | null)?.report as Partial<Record<'target' | 'kind' | 'findings' | 'ok', unknown>> | null | undefined;
  if (!r || typeof r !== 'object' || !isText(r.target) || !isText(r.kind) || !Array.isArray(r.findings) || !Array.isArray(r.ok)) {
    return refused('it carries no report ({target, kind, findings, ok})');
  }
  if (r.findings.length > MAX_FINDINGS || r.ok.length > MAX_OK) return refused(`it carries more than ${MAX_FINDINGS} findings or ${MAX_OK} ok checks`);
  const findings: TriageExplainIntent['report']['findings'] = [];
  for (const f of r.findings as unknown[]) {
    const g = f as { check?: unknown; status?: unknown; title?: unknown; merged?: unknown } | null;
    if (!g || !isText(g.check) || typeof g.status !== 'string' || !STATUSES.has(g.status) || typeof g.title !== 'string' || g.title.length > MAX_TEXT) {
      return refused(`a finding is not {check, status (one of ${[...STATUSES].join(', ')}), title}`);
    }
    if (g.merged !== undefined && !(Array.isArray(g.merged) && g.merged.every(isText))) return refused('a finding\'s merged checks are not a list of check ids');
    findings.push({ check: g.check, status: g.status, title: g.title, ...(Array.isArray(g.merged) && { merged: g.merged as string[] }) });
  }
  if (!r.ok.every(isText)) return refused('the ok checks are not a list of check ids');
  return { ok: true, intent: { intent: 'triage.explain', report: { target: r.target, kind: r.kind, findings, ok: r.ok as string[] } } };
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
}

/** The report as the button carried it: its findings, and an ok finding for each ok check. */
function reportOf(r: TriageExplainIntent['report']): Report {
  const findings = [
    ...r.findings.map((f) => ({ check: f.check, status: f.status as Status, title: cutText(f.title, MAX_TEXT), ...(f.merged && { merged: f.merged }) })),
    ...r.ok.map((check) => ({ check, status: 'ok' as const, title: 'ok' })),
  ];
  return buildReport(r.target, r.kind, new Date(), findings);
}
