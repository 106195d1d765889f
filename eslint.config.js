// ESLint for every TypeScript file the test command runs (sources, tests, examples), type-aware
// through typescript-eslint's project service; formatting is Prettier's job, not ESLint's.
'use strict';
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'packed/**', 'bench/.data/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: __dirname },
    },
    rules: {
      // Unused names are errors, except `_`-prefixed ones kept to show a signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A promise left floating loses its error: every one must be awaited, returned or voided.
      '@typescript-eslint/no-floating-promises': 'error',
      // Async methods without an await are kept async where an interface or a caller expects a promise.
      '@typescript-eslint/require-await': 'off',
      // Values read from JSON answers are \`unknown\`; String() on them is how a message quotes them.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allow: [{ from: 'lib', name: 'URLSearchParams' }] },
      ],
      // TypeScript's \`import x = require()\` is an import; plain require() stays for lazy loading, marked where used.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
    },
  },
  {
    // Tests read JSON a command printed and poke at results: \`any\` there is the point, and tsc
    // still type-checks them (tsconfig.check.json).
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // Test servers take async handlers; a failure there fails the test's request.
      '@typescript-eslint/no-misused-promises': 'off',
      // csv-parse's result is cast to the shape the test wrote.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    // Scripts, benches and configs are plain CommonJS on Node.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: require('globals').node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
