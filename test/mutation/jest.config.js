/**
 * The unit tests as Stryker's jest runner runs them (`npm run test:mutation`): no Azurite (none of
 * them needs it, and a storage emulator per mutant would cost seconds each), and ts-jest only
 * transpiles (`isolatedModules`): Stryker's TypeScript checker already sets aside the mutants that
 * do not compile, so type-checking every test file again per run would only slow the run down.
 * @type {import('jest').Config}
 */
const base = require('../../jest.config');

module.exports = {
  rootDir: '../..',
  testEnvironment: base.testEnvironment,
  roots: ['<rootDir>/test/unit'],
  testMatch: base.testMatch,
  moduleNameMapper: base.moduleNameMapper,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/mutation/tsconfig.json' }] },
};
