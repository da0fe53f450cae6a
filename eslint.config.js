// typescript-eslint's strict rules over the engine, plugins, tests and benches; formatting is prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', 'designer/', 'runtime-ui/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      // Unused names prefixed with _ are intentional (destructured away, or a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Records are maps keyed by field names from the Model: removing a hidden field is a dynamic delete.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Text checks look for NUL on purpose: PostgreSQL cannot store it.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read loosely typed JSON answers; `any` there is the honest type of a response body.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
