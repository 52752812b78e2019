// A report's secrets are masked whole before Slack's budget cuts anything: a title or a detail line
// cut with part of a configured secret before the cut never shows that part, in Block Kit or in the
// terminal.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import type { Report } from '../../src/report.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';

const KEY = 'k3y-9f8e7d6c5b4a39281706';

describe('secrets and cuts', () => {
  const positions = Array.from({ length: KEY.length + 1 }, (_, i) => i);

  it.each(positions)('a detail line and a title cut with %i characters of the key before the cut', (inKey) => {
    // Slack's budget cuts a detail line at 160 characters and a title at 250.
    const detail = `${'d'.repeat(159 - inKey)}${KEY}${'z'.repeat(50)}`;
    const title = `${'t'.repeat(249 - inKey)}${KEY}${'z'.repeat(50)}`;
    const report: Report = { target: 't', kind: 'http', status: 'crit', startedAt: new Date(0).toISOString(), durationMs: 1, findings: [{ check: 'http.status', status: 'crit', title, detail }] };
    const masked = reportMessage(report, { budget: SLACK_BUDGET, secrets: [KEY] });
    const shown = `${JSON.stringify(renderMessage(masked, encodeIntent))}\n${renderTerminal(masked, { color: false })}`;
    for (let n = 4; n <= KEY.length; n++) expect(shown).not.toContain(KEY.slice(0, n));
    // Cut without the secret, part of it shows: the test can fail.
    const unmasked = JSON.stringify(renderMessage(reportMessage(report, { budget: SLACK_BUDGET }), encodeIntent));
    if (inKey >= 4 && inKey < KEY.length) {
      expect(unmasked).toContain(KEY.slice(0, inKey));
      expect(unmasked).not.toContain(KEY);
    }
  });
});
