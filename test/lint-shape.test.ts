// The lint rules that keep the transport at the edge fire where they should and nowhere else.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('the edge boundary', () => {
  it.each([
    ['src/digest/probe-file.ts', "import { escapeMrkdwn } from '../slack/escape-mrkdwn.ts';\nexport const x = escapeMrkdwn('a');\n", 'no-restricted-imports'],
    ['commands/probe-file.ts', "import { escapeMrkdwn } from '../src/slack/escape-mrkdwn.ts';\nexport const x = escapeMrkdwn('a');\n", 'no-restricted-imports'],
    ['src/incidents/probe-file.ts', "import { WebClient } from '@slack/web-api';\nexport const x = WebClient;\n", 'no-restricted-imports'],
    ['src/render/probe-file.ts', "export const x = () => import('../slack/escape-mrkdwn.ts');\n", 'no-restricted-syntax'],
    ['src/render/probe-file.ts', "export const x = () => import('@slack/bolt');\n", 'no-restricted-syntax'],
    ['src/render/probe-file.ts', 'export const x = () => import(`../slack/escape-mrkdwn.ts`);\n', 'no-restricted-syntax'],
    ['src/render/probe-file.ts', "const where = '../slack/escape-mrkdwn.ts';\nexport const x = () => import(where);\n", 'no-restricted-syntax'],
    ['src/playground/probe-file.ts', "import { escapeMrkdwn } from '../slack/escape-mrkdwn.ts';\nexport const x = escapeMrkdwn('a');\n", 'no-restricted-imports'],
    ['src/playground/probe-file.ts', "import { WebClient } from '@slack/web-api';\nexport const x = WebClient;\n", 'no-restricted-imports'],
  ])('refuses Slack in %s', async (file, code, rule) => {
    expect(await ruleIds(code, file)).toContain(rule);
  });

  it.each([
    ['src/slack/probe-file.ts', "import { WebClient } from '@slack/web-api';\nexport const x = WebClient;\n"],
    ['src/start-bot.ts', "import { createSlackApp } from './slack/create-slack-app.ts';\nexport const x = createSlackApp;\n"],
    ['src/cli/main.ts', "export const x = () => import('../slack/verify-bot-token.ts');\n"],
    ['src/playground/probe-file.ts', "import { BOT_INTERACTIONS } from '../slack/interactions/bot-interactions.ts';\nimport { sealMessage } from '../slack/seal-message.ts';\nimport type { types } from '@slack/bolt';\nexport const x = [BOT_INTERACTIONS, sealMessage];\nexport type Y = types.KnownBlock;\n"],
  ])('lets %s be', async (file, code) => {
    const ids = await ruleIds(code, file);
    expect(ids.filter((id) => id === 'no-restricted-imports' || id === 'no-restricted-syntax')).toEqual([]);
  });
});
