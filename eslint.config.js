// Lint rules, including the import boundaries of the architecture:
//   src/shared   plain TypeScript: nothing from Node, Electron, native modules or the renderer
//   src/renderer browser code: only `import type` from the main side, no Node or Electron
//   native modules (better-sqlite3, tfjs-node) only under src/main
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeAndNative = [
  { group: ['node:*'], message: 'Node built-ins belong to src/main.' },
  { group: ['electron'], message: 'Electron belongs to src/main.' },
  {
    group: ['better-sqlite3', '@tensorflow/tfjs-node*', 'ws'],
    message: 'Native and server modules belong to src/main.',
  },
];
const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'url', 'util', 'stream'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'e2e/artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            ...nodeAndNative,
            {
              group: ['**/main/**', '**/renderer/**', 'react', 'react-dom'],
              message: 'src/shared imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            ...nodeAndNative,
            {
              group: ['**/main/**'],
              message: 'The renderer imports only types from src/main.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
