// ESLint on our own TypeScript (`npm run lint`): typescript-eslint's recommended rules, plus the
// habits of this code base that a rule can keep: no floating promises in the extension host
// (an unhandled rejection there is silent), no `vscode` import outside src/extension (the
// engine runs in the CLI, the server and the webview too; the build checks it as well), and no
// linting in the extension host (the language server lints; the extension reads its analyses).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.cache/**', '.scratch/**', '.test-run/**', 'test/fixtures/**', 'examples/**', 'media/**', '**/*.js', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests and the JSON-RPC client read untyped protocol messages.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      // Scopes and trees walk their parent chain starting from `this`.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // node:test's test() and describe() return promises the runner awaits: only src/ is checked.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['src/engine/**/*.ts', 'src/cli/**/*.ts', 'src/server/**/*.ts', 'src/protocol.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'only src/extension may import vscode' }] }],
    },
  },
  {
    // The extension host never lints: no linter, parser or front end is loaded there (types are fine).
    files: ['src/extension/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/linter', '**/engine/parser', '**/engine/syntaxTree', '**/engine/frontends/**'],
              allowTypeImports: true,
              message: 'the extension host does not lint: the language server does (src/server), and sends its analyses',
            },
          ],
        },
      ],
    },
  },
);
