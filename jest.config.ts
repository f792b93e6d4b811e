import type { Config } from 'jest';

// SWC compiles TypeScript with the decorator metadata Nest and class-validator rely on.
const transform: Config['transform'] = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
      },
      // import() stays native: it loads ES-module-only packages (the Kafka client) under --experimental-vm-modules.
      module: { type: 'commonjs', ignoreDynamic: true },
    },
  ],
};

const moduleNameMapper = {
  '^@crm/(config|errors|http|documents|personal-data|crypto|persistence|midaz|circuit-breaker|leases|events)$':
    '<rootDir>/libs/$1/src',
};

// Holds the service's console output back; prints it only for a test file that failed.
const HELD_OUTPUT = '<rootDir>/test/utils/held-output-environment.ts';

const config: Config = {
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/utils/summary-reporter.cjs'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: HELD_OUTPUT,
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      // The Dockerfile, compose file and Helm chart checks (helm is built once, or the chart checks skip).
      displayName: 'deployment',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/deployment/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testEnvironment: HELD_OUTPUT,
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/utils/global-setup.ts',
      globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
      setupFiles: ['reflect-metadata'],
    },
  ],
};

export default config;
