// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Layer rules of the house (DESIGN.md §3), enforced per folder. */
const noElectronOrUi = [
  {
    name: 'electron',
    message: 'core, adapters, services and the CLI run in plain Node: no electron.',
  },
  { name: 'react', message: 'React belongs to renderer/ only.' },
  { name: 'react-dom', message: 'React belongs to renderer/ only.' },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'test-results/', 'coverage/'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Off: the type-checked rules already catch the cases that matter; `interface` vs `type` is style.
      '@typescript-eslint/consistent-type-definitions': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectronOrUi,
          patterns: [
            {
              group: [
                '**/adapters/**',
                '**/services/**',
                '**/main/**',
                '**/preload/**',
                '**/cli/**',
                '**/ipc/**',
                '**/renderer/**',
              ],
              message: 'core imports nothing of ours but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/adapters/**/*.ts', 'electron/services/**/*.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectronOrUi,
          patterns: [
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'Faces sit on top of services, never below.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/ipc/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectronOrUi,
          patterns: [
            {
              group: [
                '**/adapters/**',
                '**/services/**',
                '**/main/**',
                '**/preload/**',
                '**/cli/**',
                '**/renderer/**',
              ],
              message: 'The contract imports only zod and core types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches the engine only through the api client.',
            },
          ],
          patterns: [
            {
              group: [
                '**/electron/core/**',
                '**/electron/adapters/**',
                '**/electron/services/**',
                '**/electron/main/**',
                '**/electron/preload/**',
                '**/electron/cli/**',
              ],
              message:
                'The renderer imports only the ipc contract (types), through renderer/src/api.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.ts'],
    rules: {
      // Tests and benchmarks print their figures and drive fakes with loose fixtures.
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
