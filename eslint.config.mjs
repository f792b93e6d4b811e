// @ts-check
import { readFileSync } from 'node:fs';
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The libs form one-way layers (libs/layers.json): each may import only the libs listed for it (so
 * nothing above it). errors and config are the floor; http, the transport, is the top: no other lib
 * imports it. Libs never reach into apps, nor into another lib's files past its public index.
 */
/** @type {Record<string, string[]>} */
const LIB_LAYERS = JSON.parse(readFileSync(new URL('./libs/layers.json', import.meta.url), 'utf8'));

const ALL_LIBS = Object.keys(LIB_LAYERS);

/** Imports every file may not use: a lib's internals (`@crm/x/...`) and paths into libs or apps. */
const DEEP_IMPORTS = [
  { group: ['@crm/*/**'], message: 'Import a lib through its public index (@crm/<lib>).' },
  { group: ['**/libs/**'], message: 'Import a lib through its public index (@crm/<lib>).' },
];

function layerRule(lib) {
  const forbidden = ALL_LIBS.filter((other) => other !== lib && !LIB_LAYERS[lib].includes(other));
  return {
    files: [`libs/${lib}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbidden.map((name) => ({
            name: `@crm/${name}`,
            message: `libs/${lib} sits below libs/${name} (see libs/layers.json).`,
          })),
          patterns: [
            ...DEEP_IMPORTS,
            { group: ['**/apps/**'], message: 'Libs never import the apps.' },
            {
              group: ['../../*/src', '../../*/src/**', '../../../*/src/**'],
              message: 'Import another lib through @crm/<lib>.',
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'bench/results/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Nest's DI takes classes and decorators; `@Module({})` and friends are deliberate empty classes.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-restricted-imports': ['error', { patterns: DEEP_IMPORTS }],
    },
  },
  {
    // Tests read JSON responses and raw records (`any`), whose shape their assertions check: typing each
    // body would only restate the assertions.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      // White-box tests and benchmarks may reach a lib's internals by path (the crypto plugin on a schema
      // of their own, a keyring built from given keys); `@crm/<lib>/...` stays closed.
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS[0]] }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Aliases know holders only through Holder's exported API (HolderModule, HolderLinks) and implement
    // the port it declares for them (HolderAliases), never through its repository, schema, records or service.
    files: ['apps/crm/src/alias-account/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...DEEP_IMPORTS,
            {
              group: [
                '**/holder/**',
                '!**/holder/holder.module',
                '!**/holder/holder-links',
                '!**/holder/holder-aliases.port',
              ],
              message: 'Aliases use Holder through HolderModule, HolderLinks and the HolderAliases port only.',
            },
          ],
        },
      ],
    },
  },
  ...ALL_LIBS.map(layerRule),
  prettier,
);
