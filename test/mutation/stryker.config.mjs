/**
 * Mutation testing of the safety-critical code (`npm run test:mutation`; docs/testing.md says how
 * to read it). Stryker changes one thing at a time in the files below (a `<` into `<=`, a status into
 * another, a call removed) and runs the unit tests that cover it: a change no test notices is a
 * gap in the tests.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  // One file per line, so that adding one is a one-line change.
  mutate: [
    'src/storage/blobLeaseLock.ts',
    'src/singleton/policy.ts',
    'src/singleton/instanceId.ts',
    'src/http/jsonInput.ts',
    'src/idempotency/decision.ts',
    'src/idempotency/fingerprint.ts',
    'src/idempotency/key.ts',
    'src/singleton/start.ts',
    'src/idempotency/idempotentStart.ts',
    'src/singleton/signal.ts',
    'src/operations/instanceOperations.ts',
    'src/operations/listQuery.ts',
    'src/redaction.ts',
    'src/singleton/signalReceipt.ts',
    'src/idempotency/signalKey.ts',
    'src/schedules/overlap.ts',
    'src/schedules/timing.ts',
  ],
  testRunner: 'jest',
  jest: { configFile: 'test/mutation/jest.config.js' },
  // Mutants that do not compile are set aside by the compiler, not by a slow failing test run.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Each mutant runs only the tests that reach it (measured once in the dry run).
  coverageAnalysis: 'perTest',
  // The machine has 2 cores, shared: one test runner and one checker process at most.
  concurrency: 1,
  // Its results, reused by `--incremental` for what did not change (a local cache, not committed).
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
