/**
 * Black-box end-to-end suite over HTTP against E2E_BASE_URL (default http://localhost:7071): the local
 * real-engine host (`npm run host:local`) or `func start`. Run with `npm run test:e2e`.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  testTimeout: 120_000,
  maxWorkers: 3,
  globalSetup: '<rootDir>/test/e2e/globalSetup.js',
};
