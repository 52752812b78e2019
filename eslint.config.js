// Lint: the recommended JS and TypeScript rules, plus the shape of the code: only src/slack/ may
// import the Slack libraries or src/slack/ itself (transport at the edge: the engine and the
// commands produce neutral messages), except the entry points that wire the edge in. In tests, an expect() whose matcher never
// runs (left in a comment, never awaited) is an error: such an assertion can never fail.
import js from '@eslint/js';
import vitest from '@vitest/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.chatops/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*'], message: 'Only src/slack/ may import Slack libraries: produce a neutral Message (src/message/message.ts) and let the edge render it.' },
            { group: ['**/slack/*', './slack/*', '../slack/*'], message: 'Only src/slack/ and the entry points may import src/slack/: produce a neutral Message (src/message/message.ts), and declare buttons as intents (src/message/intent.ts).' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/(^|\\/|@)slack\\//]', message: 'Only src/slack/ and the entry points may import src/slack/ or a Slack library, dynamically too.' },
        // A computed import cannot be checked: outside the edge, an import() names its module plainly.
        { selector: 'ImportExpression:not([source.type="Literal"])', message: 'import() takes a plain string here, so the edge boundary can be checked.' },
      ],
    },
  },
  // The playground (src/playground/) is a transport edge too: it reuses the interaction registry
  // and the button refusals and sealing of messages, but never Slack's libraries (types aside) nor
  // the rest of src/slack/ (Bolt, the Web API, Block Kit).
  {
    files: ['src/playground/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@slack/*'], allowTypeImports: true, message: 'The playground never loads a Slack library (a type-only import is fine): it is a transport of its own.' },
            {
              regex: '(^|/)slack/(?!interactions/[^/]+$|button-refusal-message\\.ts$|seal-message\\.ts$)',
              message: 'The playground may import only src/slack/interactions/*, button-refusal-message.ts and seal-message.ts from src/slack/: the rest is Slack\'s transport.',
            },
          ],
        },
      ],
    },
  },
  // The edge itself, the entry points that wire it in, and tests and benches that drive it.
  { files: ['src/slack/**', 'src/start-bot.ts', 'src/main.ts', 'src/cli/main.ts', 'test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' } },
  { files: ['test/**'], plugins: { vitest }, rules: { 'vitest/valid-expect': ['error', { alwaysAwait: false, maxArgs: 2 }], 'vitest/valid-expect-in-promise': 'error' } },
  { files: ['bin/**', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
