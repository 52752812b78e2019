// Lint: the recommended JS and TypeScript rules, plus one architectural rule: only src/slack/
// may import the Slack libraries (transport at the edge).
import js from '@eslint/js';
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
  { files: ['bin/**', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
