import { describe, it } from 'vitest';
import { renderReportBlocks } from '../../src/slack/report-blocks.ts';
import { renderReportText } from '../../src/render/report-text.ts';
import { FIXTURES } from './fixtures.ts';
import { expectGolden } from './golden.ts';

const runbookUrl = (id: string) => (id === 'postgres-connection-exhaustion' ? `https://runbooks.example.com/${id}.md` : undefined);

describe('golden files', () => {
  for (const [name, report] of Object.entries(FIXTURES)) {
    it(`${name}: Block Kit`, () => {
      expectGolden(`${name}.json`, `${JSON.stringify(renderReportBlocks(report, { runbookUrl }), null, 2)}\n`);
    });
    it(`${name}: text`, () => {
      expectGolden(`${name}.txt`, renderReportText(report, { color: false }));
    });
  }
});
