/** Unit and integration tests run from TypeScript sources through ts-jest; CLI tests run the built binary. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: { '^@pipe/(core|source-sfdc|sink-anaplan|cli)$': '<rootDir>/packages/$1/src' },
  testTimeout: 60000,
};
