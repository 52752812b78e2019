// What leaves for Slack is masked as it was written, before the renderer escapes and cuts it.
import { describe, expect, it } from 'vitest';
import { code, header, simpleMessage, type Message } from '../../src/message/message.ts';
import { sealMessage } from '../../src/slack/seal-message.ts';
import { pageMessage } from '../../src/incidents/page-message.ts';
import type { OutgoingPage } from '../../src/incidents/pager.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const SECRET = 'Zq9-SuperSecretDbPassword-77';

function allText(m: { text: string; blocks?: object[] }): string {
  return `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
}

describe('sealMessage', () => {
  it('masks a secret whole even where the header is cut in its middle', () => {
    const message: Message = { notification: [], blocks: [header(`${'x'.repeat(118)} ${SECRET}`, 'crit')] };
    const sealed = sealMessage(message, TEST_SIGNER, [SECRET]);
    const headerText = (sealed.blocks![0] as { text: { text: string } }).text.text;
    expect(headerText.length).toBeLessThanOrEqual(150);
    expect(allText(sealed)).not.toContain(SECRET.slice(0, 10));
  });

  it('masks a secret with characters Slack escapes, in text and in code', () => {
    const secret = 'pa&ss<wd>99`q';
    const sealed = sealMessage(simpleMessage('failed: ', secret, ' then ', code(secret)), TEST_SIGNER, [secret]);
    expect(allText(sealed)).not.toMatch(/pa&(amp;)?ss/);
    expect(allText(sealed)).toContain('failed: ');
  });
});

describe('a thread note queued before notes were lines', () => {
  it('names the person it holds as a mention, and nothing else', () => {
    const page = {
      recipient: { thread: true, text: 'Could not page on-call <@U0ALICE> by DM after 3 attempts: user_not_found. <!channel> The ladder goes on.' },
    } as unknown as OutgoingPage;
    const sealed = sealMessage(pageMessage(page, new Date()), TEST_SIGNER);
    const section = (sealed.blocks![0] as { text: { text: string } }).text.text;
    expect(section).toContain('Could not page on-call <@U0ALICE> by DM');
    expect(section).not.toContain('<!channel>');
  });
});
