import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'web/dist/', 'bench/out/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Only server/platform/db/dialect/ may use the SQLite driver.' },
            { name: 'pg', message: 'Only server/platform/db/dialect/ may use the PostgreSQL driver.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/platform/db/dialect/**', 'test/support/**', 'server/modules/tickets/filter/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The SPA talks to the server over HTTP only, and takes nothing but types from contracts/ (keeps zod out of the bundle).
    files: ['web/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/server/**'], message: 'web/ never imports server/; use the HTTP API.' },
            { group: ['**/contracts/**'], allowTypeImports: true, message: 'web/ imports only types from contracts/ (import type).' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/platform/db/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
