/** Unit and integration tests run from TypeScript sources through ts-jest; CLI tests run the built binary. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: { '^@pipe/(core|source-sfdc|sink-anaplan|cli)$': '<rootDir>/packages/$1/src' },
  testTimeout: 60000,
  // Coverage, when asked for (`pnpm test` runs scripts/test-with-coverage.js): src of every package, test doubles reported too.
  setupFiles: ['<rootDir>/scripts/jest-child-coverage.js'],
  collectCoverageFrom: ['packages/*/src/**/*.ts', '!**/*.d.ts'],
};
