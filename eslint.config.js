// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': [
        'error',
        { allowConstantLoopConditions: true },
      ],
    },
  },
  {
    // core/ is pure and isomorphic: no I/O, no platform modules, no clocks.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'http', 'https', 'net', 'crypto'],
              message: 'core/ does no I/O',
            },
            {
              group: ['libp2p', '@libp2p/*', 'helia', '@helia/*', 'svelte', 'svelte/*'],
              message: 'core/ stays platform-free',
            },
            {
              group: ['../node/*', '../web/*', '../../node/*', '../../web/*'],
              message: 'core/ depends on nothing above it',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'fetch',
          'process',
          'Buffer',
          'window',
          'document',
          'localStorage',
          'indexedDB',
          'setTimeout',
          'setInterval',
          'Date',
          'XMLHttpRequest',
          'WebSocket',
        ].map((name) => ({
          name,
          message: 'core/ takes time, randomness and I/O as parameters',
        })),
      ],
    },
  },
  {
    // Svelte components (web/): TypeScript inside <script lang="ts">, type-checked like the rest.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // Tests and benchmarks stand in for the network with in-memory async readers.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  }
);
