// Command text is cleaned before any command sees it: what no one types on purpose is refused by
// name and position; ordinary text, including other scripts, emoji and line breaks, passes.
import { describe, expect, it } from 'vitest';
import { cleanCommandText, MAX_COMMAND_TEXT } from '../../src/clean-command-text.ts';

const USAGE = 'Usage: `/incident declare sev1..sev4 <title>`';

describe('cleanCommandText', () => {
  it.each([
    ['db down', 'db down'],
    ['  padded  ', 'padded'],
    ['línea\r\nsegunda', 'línea\nsegunda'],
    ['数据库 down 🔥', '数据库 down 🔥'],
    ['tab\there', 'tab\there'],
    ["'; DROP TABLE incidents; --", "'; DROP TABLE incidents; --"],
    ['$(rm -rf /) `id`', '$(rm -rf /) `id`'],
  ])('keeps %j', (input, output) => {
    expect(cleanCommandText(input, USAGE)).toBe(output);
  });

  it.each([
    ['a\u0000b', 'U+0000 at position 2'],
    ['\u0007bell', 'U+0007 at position 1'],
    ['x\u007f', 'U+007F at position 2'],
    ['x\u0085', 'U+0085'],
    ['pay\u202Elpx', 'U+202E at position 4'],
    ['\u2066isolate', 'U+2066'],
    ['a\u2028b', 'U+2028'],
  ])('refuses %j naming %s, with the usage', (input, named) => {
    expect(() => cleanCommandText(input, USAGE)).toThrowError(named);
    expect(() => cleanCommandText(input, USAGE)).toThrowError(USAGE);
  });

  it('refuses a broken surrogate pair and text over the limit', () => {
    expect(() => cleanCommandText('a\ud800b', USAGE)).toThrowError('not valid Unicode');
    expect(() => cleanCommandText('x'.repeat(MAX_COMMAND_TEXT + 1), USAGE)).toThrowError(`at most ${MAX_COMMAND_TEXT}`);
    expect(cleanCommandText('x'.repeat(MAX_COMMAND_TEXT), USAGE)).toHaveLength(MAX_COMMAND_TEXT);
  });
});
