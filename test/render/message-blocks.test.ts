import { describe, expect, it } from 'vitest';
import { errorMessage, escapeMrkdwn, progressMessage, textMessage } from '../../src/slack/message-blocks.ts';
import { MAX_SECTION_TEXT } from '../../src/slack/slack-budget.ts';

describe('message helpers', () => {
  it('builds a one-section message with the same fallback text', () => {
    expect(textMessage('*hello*')).toEqual({ text: '*hello*', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }] });
    expect(progressMessage('running *db-main*').text).toBe(':hourglass_flowing_sand: running *db-main*');
  });

  it('escapes error text, which comes from exceptions and users', () => {
    expect(errorMessage('unknown target "<!channel>" & more').text).toBe(':x: unknown target "&lt;!channel&gt;" &amp; more');
    expect(escapeMrkdwn('a ``` b')).toBe('a `\u200b`\u200b` b');
  });

  it('keeps the section inside the limit', () => {
    const long = errorMessage('&'.repeat(10_000));
    const text = (long.blocks[0] as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(text.endsWith('…')).toBe(true);
    expect(text).not.toMatch(/&(?!amp;)/);
    expect(textMessage('x'.repeat(5000)).text.length).toBe(MAX_SECTION_TEXT);
  });
});
