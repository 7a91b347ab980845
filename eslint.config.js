// ESLint flat config: type-checked TypeScript rules plus the architecture's import rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders a layer may not import from (see docs/architecture.md). */
const restrict = (files, patterns, message, extraGroups = []) => ({
  files,
  rules: {
    // Generated types are data shapes every layer may use.
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: [...patterns, '!**/generated/**'], message }, ...extraGroups] },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', 'src/ui/**', 'bin/**'] },
  js.configs.recommended,
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test registers suites and cases synchronously; their returned promises are the runner's.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['eslint.config.js'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // process.env, process.exit and signals belong to src/cli only.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only src/cli may exit the process.' },
        {
          object: 'process',
          property: 'env',
          message: 'Only src/cli reads the environment; pass values in.',
        },
      ],
    },
  },
  restrict(
    ['src/engines/**/*.ts'],
    [
      '**/worker/**',
      '**/task-run/**',
      '**/plugins/**',
      '**/queue/**',
      '**/local-queue/**',
      '**/cli/**',
      '**/webhooks/**',
    ],
    'Engines import only engine types, errors, log and schema.',
  ),
  ...[false, true].map((insidePluginFolder) =>
    restrict(
      insidePluginFolder ? ['src/plugins/*/**/*.ts'] : ['src/plugins/*.ts'],
      [
        '**/worker/**',
        '**/task-run/**',
        '**/local-queue/**',
        '**/cli/**',
        '**/queue/*-client*',
        '**/queue/taskcluster*',
      ],
      'Plugins import plugin, engine, webhook and queue types only.',
      // Inside a plugin's folder, a sibling folder is another plugin; anything two levels up is shared.
      insidePluginFolder
        ? [{ group: ['../*/**', '!../../**'], message: 'A plugin never imports another plugin.' }]
        : [],
    ),
  ),
  restrict(
    ['src/task-run/**/*.ts'],
    ['**/worker/**', '**/local-queue/**', '**/cli/**', '**/queue/taskcluster*'],
    'task-run never imports the queue adapter or the worker.',
  ),
  restrict(
    ['src/local-queue/**/*.ts'],
    ['**/worker/**', '**/task-run/**', '**/plugins/**', '**/engines/**', '**/cli/**', '**/queue/**'],
    'local-queue is a service: it never imports worker code.',
  ),
);
