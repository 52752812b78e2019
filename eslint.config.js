// Lint: the recommended JS and TypeScript rules, plus one architectural rule: only src/slack/
// may import the Slack libraries (transport at the edge). In tests, an expect() whose matcher never
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
      'no-restricted-imports': ['error', { patterns: [{ group: ['@slack/*'], message: 'Only src/slack/ may import Slack libraries.' }] }],
    },
  },
  { files: ['src/slack/**', 'test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['test/**'], plugins: { vitest }, rules: { 'vitest/valid-expect': ['error', { alwaysAwait: false, maxArgs: 2 }], 'vitest/valid-expect-in-promise': 'error' } },
  { files: ['bin/**', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
