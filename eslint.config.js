// ESLint (flat config) with typescript-eslint, and the import boundaries that keep the layers
// of the architecture apart (STYLE.md: arrows point down only):
//   - src/** never imports tools/** or examples/** (the library does not know its callers);
//   - src/ops/** never imports src/nn/** (ops are below the modules built on them);
//   - tools/** and examples/** import the library only through its public entry, src/index.ts.
// Formatting is Prettier's job (.prettierrc.json); this config only checks code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** A `no-restricted-imports` rule forbidding the given path patterns, with a message. */
const forbid = (message, ...group) => ['error', { patterns: [{ group, message }] }];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.cache/**',
      'demo-out/**',
      'docs/api/**',
      'dist-web/**',
      'test/fixtures/**',
      'examples/data/**',
      'examples/weights/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // `_name` marks a value that is unused on purpose (destructuring it away, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Ternaries and short-circuits used as statements are the codebase's idiom for small branches.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        'src/ never imports the command line or the examples',
        '**/tools/**',
        '**/examples/**',
      ),
    },
  },
  {
    files: ['src/ops/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        'an op never imports nn (nn is built on the ops)',
        '**/tools/**',
        '**/examples/**',
        '../nn/*',
        '../nn/**',
        '**/src/nn/**',
      ),
    },
  },
  {
    // The studio page uses the library as any site would; the benchmark page (web/bench/) reaches
    // inside it as bench/ does, to time and name its kernels.
    files: ['tools/**/*.ts', 'examples/**/*.ts', 'web/studio/**/*.ts', 'web/common/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        "import the library through its public entry: import * as sg from '../src/index.js'",
        '**/src/*',
        '!**/src/index.js',
        '**/src/*/**',
      ),
    },
  },
  {
    // Tests, benchmarks and node scripts may reach inside the library: they test and time its parts,
    // and tests pass deliberately wrong values (`'x' as any`) to check the errors.
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
