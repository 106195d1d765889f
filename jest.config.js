/** Unit and integration tests run from TypeScript sources through ts-jest; CLI tests run the built binary. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // Every @pipe package and public subpath, to its TypeScript source.
  moduleNameMapper: {
    '^@pipe/(core|source-sfdc|sink-anaplan|emulator-sfdc|emulator-anaplan|queue|cli)$': '<rootDir>/packages/$1/src',
    '^@pipe/(emulator-sfdc|emulator-anaplan)/pipe-package$': '<rootDir>/packages/$1/src/pipe-package',
    '^@pipe/core/(engine|pipeline-file|testing|errors)$': '<rootDir>/packages/core/src/$1',
    '^@pipe/core/config-error$': '<rootDir>/packages/core/src/config/config-error',
    '^@pipe/core/redactor$': '<rootDir>/packages/core/src/log/redactor',
    '^@pipe/core/credentials$': '<rootDir>/packages/core/src/credentials/credential-store',
    '^@pipe/core/byte-size$': '<rootDir>/packages/core/src/util/byte-size',
  },
  testTimeout: 60000,
  // Most suites wait on child processes and emulators, not the CPU: two workers on 2 cores halve
  // the wall time (jest's default there is one).
  maxWorkers: 2,
  // Coverage, when asked for (`pnpm test` runs scripts/test-with-coverage.js): src of every package, test doubles reported too.
  setupFiles: ['<rootDir>/scripts/jest-child-coverage.js'],
  globalSetup: '<rootDir>/scripts/jest-temp-dir.js',
  collectCoverageFrom: ['packages/*/src/**/*.ts', '!**/*.d.ts'],
};
