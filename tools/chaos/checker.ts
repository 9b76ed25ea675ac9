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
 *    never does);
 *  - signal-received-once: signals (`POST …/events/{event}`, each with a unique marker in its data)
 *    reach one run, once: (a) every signal answered 200 or 202 was received (read fresh) by a run of
 *    its ID — none means the event was lost; (b) no marker was received fresh more than once, by one
 *    run or by several (a duplicate the run recognised and ignored is fine); (c) every marker a run
 *    received belongs to a signal of that ID answered 2xx, or unconfirmed (503, no answer, or a 5xx
 *    under an injected fault: the event may have been raised), or to an event raised past the
 *    starter on purpose; the event of a signal answered 409 or another 4xx reached no run.
 *    Which reads count: the engine (DTFx on Azure Storage) runs the activities of an episode it
 *    then discards, and hands that episode's events out again (tools/chaos/functions/chaosJob.ts),
 *    so a recorded read is one of three kinds:
 *      - kept: a later episode of its run replayed it (`proven`);
 *      - discarded: unproven, although the run went on to record its end or to prove a later read
 *        (every later episode of a run replays all the reads the engine kept before it);
 *      - uncertain: unproven in a run cut short (terminated) before any later episode — kept, or
 *        discarded and handed to the next run of the ID; nothing recorded tells which.
 *    (a) and (c) take kept and uncertain reads; (b) counts kept reads only, since an uncertain read
 *    beside a kept one elsewhere is exactly what a discarded episode followed by a restart leaves
 *    (measured: the ping raised past the starter in scenario h's restart phase).
 */
import type { History, ReceivedSignal, RequestRecord, RunRecord } from './history';
import { checkSchedules, SCHEDULE_MARKER } from './scheduleChecker';

export const INVARIANTS = [
  'no-overlap',
  'accepted-start-ran',
  'run-explained',
  'answers-under-faults',
  'other-orchestrator-untouched',
  'signal-received-once',
  'schedule-ticks',
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
  readonly signals: SignalSummary;
}

export interface SignalSummary {
  /** Signal requests sent through a starter. */
  readonly sent: number;
  /** Signal requests per answer status ("0" = no answer); included in the requests' statuses. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Distinct markers read fresh by some run. */
  readonly received: number;
  /** Of those, markers of a signal answered 503, not at all, or a 5xx under a fault. */
  readonly receivedUnconfirmed: number;
  /** Reads of a signal the run had read before, ignored. */
  readonly duplicates: number;
  /** Events raised past the starter on purpose. */
  readonly outOfBand: number;
  /** Reads recorded by an episode the engine discarded (unproven, in a run that went on): not reads. */
  readonly discarded: number;
  /** Unproven reads of runs cut short: counted as received, not as duplicates. */
  readonly uncertain: number;
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
    // A schedule's run is its tick's: schedule-ticks explains it (./scheduleChecker.ts).
    if (run.marker.startsWith(SCHEDULE_MARKER)) continue;
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

const is2xx = (status: number) => status >= 200 && status < 300;

/** Receipts: each event a run read, with the run. */
type Receipt = ReceivedSignal & { readonly run: RunRecord };

/** Whether the engine kept a recorded read (see the header's "Which reads count"). */
function readKind(read: Receipt): 'kept' | 'discarded' | 'uncertain' {
  if (read.proven) return 'kept';
  if (read.run.ended) return 'discarded';
  const provenLater = read.run.signals.some((s) => s.proven && s.at > read.at);
  return provenLater ? 'discarded' : 'uncertain';
}

function signalsReceivedOnce(history: History): {
  violations: Violation[];
  summary: SignalSummary;
} {
  const violations: Violation[] = [];
  const fail = (instanceId: string, detail: string) =>
    violations.push({ invariant: 'signal-received-once', instanceId, detail });
  const signals = history.requests.filter(
    (r): r is RequestRecord & Required<Pick<RequestRecord, 'signal'>> => r.signal !== undefined,
  );
  const sentByMarker = groupBy(signals, (r) => r.signal.marker);
  const raisedByMarker = groupBy(history.outOfBandSignals ?? [], (s) => s.marker);
  const recorded: Receipt[] = history.runs.flatMap((run) =>
    run.signals.map((s) => ({ ...s, run })),
  );
  const receipts = recorded.filter((r) => readKind(r) !== 'discarded');
  const fresh = receipts.filter((r) => !r.duplicate);
  const freshByMarker = groupBy(fresh, (r) => r.marker);
  const keptByMarker = groupBy(
    fresh.filter((r) => r.proven),
    (r) => r.marker,
  );
  const runLabel = (r: Receipt) => `run ${r.run.runId} (input ${r.run.marker})`;

  // (a) Answered 200 or 202: read by a run of its ID.
  for (const request of signals) {
    if (request.status !== 200 && request.status !== 202) continue;
    const read = (freshByMarker.get(request.signal.marker) ?? []).filter(
      (r) => r.run.instanceId === request.instanceId,
    );
    if (read.length > 0) continue;
    fail(
      request.instanceId,
      `signal ${request.signal.marker} (${request.signal.event}, via ${request.target}) was answered ${request.status} but no run of this ID received it: lost`,
    );
  }

  // (b) Kept fresh at most once, anywhere.
  for (const [marker, reads] of keptByMarker) {
    if (reads.length < 2) continue;
    const where = [...new Set(reads.map(runLabel))];
    fail(
      reads[0].run.instanceId,
      `signal ${marker} was received ${reads.length} times as new, by ${where.length === 1 ? where[0] : where.join(' and ')}`,
    );
  }

  // (c) Every marker read belongs to a signal that may have raised it, on that ID.
  let receivedUnconfirmed = 0;
  const readPerId = groupBy(receipts, (r) => `${r.run.instanceId}\n${r.marker}`);
  for (const reads of readPerId.values()) {
    const [{ marker, run }] = reads;
    const sent = (sentByMarker.get(marker) ?? []).filter((r) => r.instanceId === run.instanceId);
    const raised = (raisedByMarker.get(marker) ?? []).filter(
      (s) => s.instanceId === run.instanceId,
    );
    const sources = sent.length + raised.length;
    if (sources === 0) {
      fail(
        run.instanceId,
        `${runLabel(reads[0])} received signal ${marker || '(no marker)'}, which no signal or deliberate raise of this ID carried`,
      );
    } else if (sources > 1) {
      fail(run.instanceId, `signal ${marker} was sent ${sources} times; markers must be unique`);
    } else if (sent.length === 1) {
      const request = sent[0];
      if (is2xx(request.status)) continue;
      if (unconfirmed(request)) {
        if (reads.some((r) => !r.duplicate)) receivedUnconfirmed++;
        continue;
      }
      fail(
        run.instanceId,
        `${runLabel(reads[0])} received signal ${marker}, whose request (via ${request.target}) was answered ${request.status}${request.faults.length ? ` (faults: ${request.faults.join(', ')})` : ''}: its event must not have been raised`,
      );
    }
  }

  const statuses: Record<string, number> = {};
  for (const r of signals) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    violations,
    summary: {
      sent: signals.length,
      statuses,
      received: freshByMarker.size,
      receivedUnconfirmed,
      duplicates: receipts.length - fresh.length,
      outOfBand: history.outOfBandSignals?.length ?? 0,
      discarded: recorded.length - receipts.length,
      uncertain: receipts.filter((r) => !r.proven).length,
    },
  };
}

export function checkHistory(history: History): CheckResult {
  const runsByMarker = groupBy(history.runs, (r) => r.marker);
  const requestsByMarker = groupBy(history.requests, (r) => r.marker);
  const explained = runsExplained(history, requestsByMarker);
  const signals = signalsReceivedOnce(history);
  const violations = [
    ...overlaps(history.runs),
    ...acceptedStartsRan(history.requests, runsByMarker),
    ...explained.violations,
    ...answers(history.requests),
    ...otherOrchestratorsUntouched(history, requestsByMarker),
    ...signals.violations,
    ...checkSchedules(history.schedules ?? [], history.runs),
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
      signals: signals.summary,
    },
  };
}
