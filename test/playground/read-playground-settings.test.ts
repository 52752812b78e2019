// The playground's settings and the choice of transport, from the environment: defaults, and every
// bad value refused naming the variable, the value and what is accepted.
import { describe, expect, it } from 'vitest';
import { readChatopsMode, readPlaygroundSettings } from '../../src/playground/read-playground-settings.ts';
import { isUserError } from '../../src/user-error.ts';

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('readChatopsMode', () => {
  it('unset: the playground without SLACK_BOT_TOKEN, Slack with it', () => {
    expect(readChatopsMode({})).toBe('playground');
    expect(readChatopsMode({ CHATOPS_MODE: '' })).toBe('playground');
    expect(readChatopsMode({ SLACK_BOT_TOKEN: 'xoxb-1' })).toBe('slack');
    expect(readChatopsMode({ SLACK_APP_TOKEN: 'xapp-1' })).toBe('playground');
  });

  it('slack and playground are taken as they are, whatever the tokens', () => {
    expect(readChatopsMode({ CHATOPS_MODE: 'slack' })).toBe('slack');
    expect(readChatopsMode({ CHATOPS_MODE: 'playground', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).toBe('playground');
  });

  it.each(['bogus', 'Slack', 'socket', 'http'])('refuses %j naming it and the accepted values', (value) => {
    const message = refusal(() => readChatopsMode({ CHATOPS_MODE: value }));
    expect(message).toContain(`CHATOPS_MODE=${JSON.stringify(value)} is not accepted`);
    expect(message).toContain('slack');
    expect(message).toContain('playground');
    expect(message).toContain('unset');
  });
});

describe('readPlaygroundSettings', () => {
  it('defaults: port 3000 on 127.0.0.1 only, as U0YOU named "you"', () => {
    expect(readPlaygroundSettings({})).toEqual({ port: 3000, host: '127.0.0.1', loopbackOnly: true, userId: 'U0YOU', userName: 'you' });
  });

  it('takes PORT (0: any free port), PLAYGROUND_HOST and CHATOPS_PLAYGROUND_USER', () => {
    expect(readPlaygroundSettings({ PORT: '0' }).port).toBe(0);
    expect(readPlaygroundSettings({ PORT: '8080' }).port).toBe(8080);
    const open = readPlaygroundSettings({ PLAYGROUND_HOST: '0.0.0.0', CHATOPS_PLAYGROUND_USER: 'W0ALICE42' });
    expect(open).toMatchObject({ host: '0.0.0.0', loopbackOnly: false, userId: 'W0ALICE42' });
    expect(readPlaygroundSettings({ PLAYGROUND_HOST: '::' }).host).toBe('::');
    expect(readPlaygroundSettings({ PLAYGROUND_HOST: 'devbox.local' }).host).toBe('devbox.local');
  });

  it.each(['abc', '-1', '65536', '1.5', '3000x', ' 80'])('refuses PORT=%j naming it and the accepted range', (value) => {
    const message = refusal(() => readPlaygroundSettings({ PORT: value }));
    expect(message).toContain(`PORT=${JSON.stringify(value)} is not accepted`);
    expect(message).toContain('0-65535');
  });

  it.each(['http://0.0.0.0', 'a b', 'host/path', '-bad.example'])('refuses PLAYGROUND_HOST=%j naming it and what is accepted', (value) => {
    const message = refusal(() => readPlaygroundSettings({ PLAYGROUND_HOST: value }));
    expect(message).toContain(`PLAYGROUND_HOST=${JSON.stringify(value)} is not accepted`);
    expect(message).toContain('127.0.0.1');
  });

  it.each(['u0you', 'alice', 'U1', 'C0OPS', 'S0GROUP', 'U0YOU!'])('refuses CHATOPS_PLAYGROUND_USER=%j naming it and the accepted form', (value) => {
    const message = refusal(() => readPlaygroundSettings({ CHATOPS_PLAYGROUND_USER: value }));
    expect(message).toContain(`CHATOPS_PLAYGROUND_USER=${JSON.stringify(value)} is not accepted`);
    expect(message).toContain('U0123ABCD');
  });
});
