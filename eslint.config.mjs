// ESLint flat config: typescript-eslint's recommended rules (syntax only, fast); types are
// checked by `tsc --noEmit` in `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', '.render/**', 'dist/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Control characters are matched on purpose when cleaning typed input.
      'no-control-regex': 'off',
    },
  },
);
