/**
 * The history checker: decides from a recorded history whether the starter kept its promises.
 * Pure: no I/O, no clock.
 *
 *  - no-overlap: no two runs of one instance ID overlap in time (a run spans from its first to its
 *    last recorded activity, which under-states its true extent, so every overlap found is real);
 *  - accepted-start-ran: every 202 is matched by exactly one run that received that request's
 *    input (none: the input was dropped; more: one start ran twice);
 *  - run-explained: every run received the input of exactly one request that may have started it:
 *    a 202; a start made outside the starter on purpose; a request answered 503 or not at all (a
 *    start call that timed out may still land — injected fault or plain overload alike — which is
 *    why the lease is then left to expire); or, while a fault was injected, another 5xx;
 *  - answers-under-faults: every answer is 202, 200, 409 or 503 with Retry-After; a 5xx other
 *    than 503 only when an error answer was injected; no answer at all only when the instance
 *    asked was killed;
 *  - other-orchestrator-untouched: neither the starter nor the operator routes replace or cut short
 *    another orchestrator's run: no run started by a request follows, on its ID, a run of another
 *    orchestrator; and a run of one orchestrator that a start or an operator request for another
 *    could have reached (sent after it began) recorded its own end (a run terminated from outside
 *    never does).
 */
import type { History, RequestRecord, RunRecord } from './history';

export const INVARIANTS = [
  'no-overlap',
  'accepted-start-ran',
  'run-explained',
  'answers-under-faults',
  'other-orchestrator-untouched',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: Invariant;
  readonly instanceId: string;
  readonly detail: string;
}

export interface CheckSummary {
  readonly requests: number;
  /** Requests per answer status ("0" = no answer). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly runs: number;
  /** Runs whose request got no answer or a 503 (or a 5xx under a fault): started, not confirmed. */
  readonly landedUnconfirmed: number;
  readonly outOfBand: number;
}

export interface CheckResult {
  readonly violations: readonly Violation[];
  readonly perInvariant: Readonly<Record<Invariant, number>>;
  readonly summary: CheckSummary;
}

const ALLOWED = new Set([200, 202, 409]);

function runEnd(run: RunRecord): number {
  return Math.max(run.startedAt, run.lastSeenAt);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function overlaps(runs: readonly RunRecord[]): Violation[] {
  const violations: Violation[] = [];
  for (const [instanceId, group] of groupBy(runs, (r) => r.instanceId)) {
    const sorted = [...group].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j].startedAt < runEnd(sorted[i]); j++) {
        const [a, b] = [sorted[i], sorted[j]];
        violations.push({
          invariant: 'no-overlap',
          instanceId,
          detail: `run ${b.runId} (input ${b.marker}) started ${runEnd(a) - b.startedAt} ms before run ${a.runId} (input ${a.marker}) had ended`,
        });
      }
    }
  }
  return violations;
}

function acceptedStartsRan(
  requests: readonly RequestRecord[],
  runsByMarker: Map<string, RunRecord[]>,
): Violation[] {
  const violations: Violation[] = [];
  for (const request of requests) {
    if (request.status !== 202) continue;
    const ran = (runsByMarker.get(request.marker) ?? []).filter(
      (r) => r.instanceId === request.instanceId,
    );
    if (ran.length === 1) continue;
    violations.push({
      invariant: 'accepted-start-ran',
      instanceId: request.instanceId,
      detail:
        ran.length === 0
          ? `202 for input ${request.marker} (via ${request.target}) but no run received that input`
          : `202 for input ${request.marker} but ${ran.length} runs received it (${ran.map((r) => r.runId).join(', ')})`,
    });
  }
  return violations;
}

/** A request whose answer does not rule out that its start landed. */
function unconfirmed(request: RequestRecord): boolean {
  if (request.status === 0 || request.status === 503) return true;
  return request.faults.length > 0 && request.status >= 500;
}

function runsExplained(
  history: History,
  requestsByMarker: Map<string, RequestRecord[]>,
): { violations: Violation[]; landedUnconfirmed: number } {
  const violations: Violation[] = [];
  let landedUnconfirmed = 0;
  const outOfBand = groupBy(history.outOfBandStarts ?? [], (s) => s.marker);
  for (const run of history.runs) {
    const explained = (requestsByMarker.get(run.marker) ?? []).filter(
      (r) => r.instanceId === run.instanceId,
    );
    const made = (outOfBand.get(run.marker) ?? []).filter((s) => s.instanceId === run.instanceId);
    const sources = explained.length + made.length;
    const fail = (detail: string) =>
      violations.push({ invariant: 'run-explained', instanceId: run.instanceId, detail });
    if (sources === 0) {
      fail(
        `run ${run.runId} received input ${run.marker}, which no request or deliberate start of this ID carried`,
      );
    } else if (sources > 1) {
      fail(
        `run ${run.runId}: input ${run.marker} was sent ${sources} times; markers must be unique`,
      );
    } else if (explained.length === 1) {
      const request = explained[0];
      if (request.status === 202) continue;
      if (unconfirmed(request)) {
        landedUnconfirmed++;
        continue;
      }
      fail(
        `run ${run.runId} received input ${run.marker}, whose request was answered ${request.status || 'nothing'}${request.faults.length ? '' : ' with no fault in effect'}`,
      );
    }
  }
  return { violations, landedUnconfirmed };
}

function answers(requests: readonly RequestRecord[]): Violation[] {
  const violations: Violation[] = [];
  for (const r of requests) {
    const fault = r.faults.length ? ` (faults: ${r.faults.join(', ')})` : ' (no fault)';
    const fail = (detail: string) =>
      violations.push({ invariant: 'answers-under-faults', instanceId: r.instanceId, detail });
    if (ALLOWED.has(r.status)) continue;
    if (r.status === 503) {
      if (!r.retryAfter) fail(`503 for input ${r.marker} without Retry-After${fault}`);
      continue;
    }
    if (r.status === 0) {
      if (!r.faults.includes('kill')) fail(`no answer for input ${r.marker}${fault}`);
      continue;
    }
    if (r.status >= 500 && r.faults.includes('error-answer')) continue;
    fail(`${r.status} for input ${r.marker} via ${r.target}${fault}`);
  }
  return violations;
}

function otherOrchestratorsUntouched(
  history: History,
  requestsByMarker: Map<string, RequestRecord[]>,
): Violation[] {
  const violations: Violation[] = [];
  const requestsById = groupBy(history.requests, (r) => r.instanceId);
  const operationsById = groupBy(history.operations ?? [], (o) => o.instanceId);
  for (const [instanceId, runs] of groupBy(history.runs, (r) => r.instanceId)) {
    const fail = (detail: string) =>
      violations.push({ invariant: 'other-orchestrator-untouched', instanceId, detail });
    for (const run of runs) {
      const startedBy = (requestsByMarker.get(run.marker) ?? []).filter(
        (r) => r.instanceId === instanceId,
      );
      if (startedBy.length > 0) {
        for (const earlier of runs) {
          if (earlier.orchestrator === run.orchestrator || earlier.startedAt > run.startedAt) {
            continue;
          }
          fail(
            `run ${run.runId} of ${run.orchestrator} (input ${run.marker}, a request answered ${startedBy[0].status || 'nothing'}) replaced run ${earlier.runId} of ${earlier.orchestrator}`,
          );
        }
      }
      if (run.ended) continue;
      const reaching = [
        ...(requestsById.get(instanceId) ?? []).map((r) => ({ ...r, asked: 'start' })),
        ...(operationsById.get(instanceId) ?? []).map((o) => ({ ...o, asked: o.operation })),
      ].filter((r) => r.orchestrator !== run.orchestrator && r.sentAt >= run.startedAt);
      if (reaching.length > 0) {
        fail(
          `run ${run.runId} of ${run.orchestrator} never recorded its end, after ${reaching.length} request(s) to ${reaching[0].asked} ${reaching[0].orchestrator} under its ID`,
        );
      }
    }
  }
  return violations;
}

export function checkHistory(history: History): CheckResult {
  const runsByMarker = groupBy(history.runs, (r) => r.marker);
  const requestsByMarker = groupBy(history.requests, (r) => r.marker);
  const explained = runsExplained(history, requestsByMarker);
  const violations = [
    ...overlaps(history.runs),
    ...acceptedStartsRan(history.requests, runsByMarker),
    ...explained.violations,
    ...answers(history.requests),
    ...otherOrchestratorsUntouched(history, requestsByMarker),
  ];
  const perInvariant = Object.fromEntries(
    INVARIANTS.map((i) => [i, violations.filter((v) => v.invariant === i).length]),
  ) as Record<Invariant, number>;
  const statuses: Record<string, number> = {};
  for (const r of history.requests) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    violations,
    perInvariant,
    summary: {
      requests: history.requests.length,
      statuses,
      runs: history.runs.length,
      landedUnconfirmed: explained.landedUnconfirmed,
      outOfBand: history.outOfBandStarts?.length ?? 0,
    },
  };
}
