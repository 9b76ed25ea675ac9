/**
 * The chaos run's results: a summary for people, and `test-results/chaos.json` in the shape of
 * jest's JSON output (one test per scenario) so that CI can count it with the other suites.
 */
import type { CheckResult, Invariant, Violation } from './checker';
import type { Expectation } from './scenarios';

export interface ScenarioResult {
  readonly key: string;
  readonly title: string;
  readonly expectations: readonly Expectation[];
  readonly violations: readonly Violation[];
  /** Set when the scenario could not run (e.g. too few instances left) or threw. */
  readonly error?: string;
  readonly seconds: number;
}

export function passed(result: ScenarioResult): boolean {
  return !result.error && result.violations.length === 0 && result.expectations.every((e) => e.ok);
}

export function failureMessages(result: ScenarioResult): string[] {
  return [
    ...(result.error ? [result.error] : []),
    ...result.expectations.filter((e) => !e.ok).map((e) => `expected: ${e.detail}`),
    ...result.violations.map((v) => `${v.invariant} (${v.instanceId}): ${v.detail}`),
  ];
}

export interface RunFacts {
  readonly seed: number;
  readonly rounds: number;
  readonly instances: number;
  readonly startedAt: number;
  readonly seconds: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly proxies: Readonly<Record<string, unknown>>;
}

export function summaryLines(
  check: CheckResult,
  results: readonly ScenarioResult[],
  facts: RunFacts,
): string[] {
  const per = Object.entries(check.perInvariant) as [Invariant, number][];
  return [
    `chaos: seed ${facts.seed}, ${facts.rounds} round(s), ${facts.instances} instances, ${facts.seconds.toFixed(0)} s`,
    `requests: ${check.summary.requests} (${Object.entries(check.summary.statuses)
      .map(([s, n]) => `${s === '0' ? 'no answer' : s}×${n}`)
      .join(', ')})`,
    `faults injected: ${Object.entries(facts.faults)
      .map(([k, n]) => `${k}×${n}`)
      .join(', ')}`,
    `runs: ${check.summary.runs} (${check.summary.landedUnconfirmed} landed after a 503 or no answer, ${check.summary.outOfBand} started past the starter on purpose)`,
    ...signalLine(check),
    `violations: ${check.violations.length} (${per.map(([i, n]) => `${i} ${n}`).join(', ')})`,
    ...results.map(
      (r) =>
        `  ${passed(r) ? 'PASS' : 'FAIL'} ${r.title} (${r.seconds.toFixed(0)} s)` +
        failureMessages(r)
          .slice(0, 10)
          .map((m) => `\n       ${m}`)
          .join(''),
    ),
  ];
}

function signalLine(check: CheckResult): string[] {
  const s = check.summary.signals;
  if (s.sent === 0 && s.outOfBand === 0) return [];
  return [
    `signals: ${s.sent} sent (${Object.entries(s.statuses)
      .map(([status, n]) => `${status === '0' ? 'no answer' : status}×${n}`)
      .join(
        ', ',
      )}; +${s.outOfBand} raised past the starter), ${s.received} received (${s.receivedUnconfirmed} of them after a 503 or no answer), ${s.duplicates} duplicate(s) ignored, ${s.discarded} read(s) recorded by an episode the engine discarded (not counted), ${s.uncertain} unproven in a run cut short`,
  ];
}

/** jest's `--json` shape, as far as `.ci/run` and people read it. */
export function jestShaped(
  check: CheckResult,
  results: readonly ScenarioResult[],
  facts: RunFacts,
): Record<string, unknown> {
  const failed = results.filter((r) => !passed(r)).length;
  return {
    numTotalTests: results.length,
    numPassedTests: results.length - failed,
    numFailedTests: failed,
    numPendingTests: 0,
    numRuntimeErrorTestSuites: 0,
    numTotalTestSuites: 1,
    numPassedTestSuites: failed ? 0 : 1,
    numFailedTestSuites: failed ? 1 : 0,
    success: failed === 0,
    startTime: facts.startedAt,
    testResults: [
      {
        name: 'tools/chaos/run.ts',
        status: failed ? 'failed' : 'passed',
        startTime: facts.startedAt,
        endTime: facts.startedAt + Math.round(facts.seconds * 1000),
        message: '',
        assertionResults: results.map((r) => ({
          ancestorTitles: ['chaos'],
          title: r.title,
          fullName: `chaos ${r.title}`,
          status: passed(r) ? 'passed' : 'failed',
          duration: Math.round(r.seconds * 1000),
          failureMessages: failureMessages(r),
        })),
      },
    ],
    chaos: { ...facts, check: { perInvariant: check.perInvariant, summary: check.summary } },
  };
}
