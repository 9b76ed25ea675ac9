/**
 * The history checker on hand-made histories: one that keeps every promise, one per broken
 * invariant, and the Durable sample's measured behaviour, which it must flag.
 */
import { checkHistory, type Invariant } from '../../../tools/chaos/checker';
import type {
  FaultKind,
  History,
  RequestRecord,
  RunRecord,
  SentSignal,
} from '../../../tools/chaos/history';

let sequence = 0;
function request(
  instanceId: string,
  status: number,
  options: Partial<RequestRecord> & { faults?: FaultKind[] } = {},
): RequestRecord {
  sequence++;
  return {
    marker: `m${sequence}`,
    instanceId,
    orchestrator: 'chaosJob',
    target: `i${sequence % 3}`,
    sentAt: 1_000 + sequence,
    answeredAt: 1_050 + sequence,
    status,
    faults: [],
    ...(status === 503 && { retryAfter: '5' }),
    ...options,
  };
}

function run(
  of: RequestRecord | { marker: string; instanceId: string },
  from: number,
  to: number,
  orchestrator = 'orchestrator' in of ? of.orchestrator : 'chaosJob',
) {
  const record: RunRecord = {
    runId: `run-${of.marker}`,
    instanceId: of.instanceId,
    orchestrator,
    marker: of.marker,
    startedAt: from,
    lastSeenAt: to,
    ended: true,
    signals: [],
  };
  return record;
}

/** A signal: its start marker (`marker`) and the marker its event carried. */
function signal(
  instanceId: string,
  status: number,
  options: Partial<RequestRecord> & { faults?: FaultKind[] } = {},
): RequestRecord & { signal: SentSignal } {
  const sent = request(instanceId, status, options);
  return { ...sent, signal: { event: 'ping', marker: `s-${sent.marker}` } };
}

/** `reading` with the events it read (fresh unless `duplicate`), at its start. */
function reading(
  record: RunRecord,
  ...read: (
    | { signal: SentSignal; at?: number }
    | { marker: string; duplicate?: boolean; proven?: boolean; at?: number }
  )[]
): RunRecord {
  return {
    ...record,
    signals: read.map((r) => ({
      marker: 'signal' in r ? r.signal.marker : r.marker,
      duplicate: 'duplicate' in r && r.duplicate === true,
      at: r.at ?? record.startedAt,
      proven: !('proven' in r) || r.proven !== false,
    })),
  };
}

function violated(history: History): Partial<Record<Invariant, number>> {
  const { perInvariant } = checkHistory(history);
  return Object.fromEntries(Object.entries(perInvariant).filter(([, n]) => n > 0));
}

test('a history that keeps every promise has no violation', () => {
  // A burst split across instances: one 202, the rest refused; the run got the 202's input.
  const won = request('burst', 202);
  const refused = [request('burst', 409), request('burst', 409), request('burst', 200)];
  // Ended, then started again by a later 202: runs follow each other.
  const again = request('burst', 202);
  // A restart: the old run was terminated (its last heartbeat before the new run's start).
  const first = request('restarted', 202);
  const restart = request('restarted', 202, { onConflict: 'restart' });
  // Storage blackholed: 503 with Retry-After, and one timed-out start that landed anyway.
  const unavailable = request('dark', 503, { faults: ['blackhole'] });
  const timedOut = request('dark', 503, { faults: ['blackhole'] });
  // Killed while asked: no answer.
  const killed = request('crash', 0, { faults: ['kill'] });
  const outOfBand = { marker: 'seed-1', instanceId: 'direct', why: 'started through the API' };
  const history: History = {
    requests: [won, ...refused, again, first, restart, unavailable, timedOut, killed],
    runs: [
      run(won, 2_000, 2_400),
      run(again, 2_400, 2_600),
      { ...run(first, 3_000, 3_900), ended: false },
      run(restart, 4_000, 4_500),
      run(timedOut, 9_000, 9_100),
      run(outOfBand, 5_000, 5_100),
    ],
    outOfBandStarts: [outOfBand],
  };
  const result = checkHistory(history);
  expect(result.violations).toEqual([]);
  expect(result.summary).toEqual({
    requests: 10,
    statuses: { '0': 1, '200': 1, '202': 4, '409': 2, '503': 2 },
    runs: 6,
    landedUnconfirmed: 1,
    outOfBand: 1,
    signals: {
      sent: 0,
      statuses: {},
      received: 0,
      receivedUnconfirmed: 0,
      duplicates: 0,
      outOfBand: 0,
      discarded: 0,
      uncertain: 0,
    },
  });
});

describe('one violation of each invariant', () => {
  test('no-overlap: a run starts before the previous run of its ID ended', () => {
    const a = request('x', 202);
    const b = request('x', 202);
    expect(violated({ requests: [a, b], runs: [run(a, 100, 500), run(b, 499, 900)] })).toEqual({
      'no-overlap': 1,
    });
  });

  test('no-overlap: a terminated run still beating after its successor started', () => {
    const a = request('x', 202);
    const b = request('x', 202, { onConflict: 'restart' });
    const terminated = { ...run(a, 100, 2_000), ended: false };
    expect(violated({ requests: [a, b], runs: [terminated, run(b, 1_500, 3_000)] })).toEqual({
      'no-overlap': 1,
    });
  });

  test('no-overlap is per ID: the same times on two IDs are fine', () => {
    const a = request('x', 202);
    const b = request('y', 202);
    expect(violated({ requests: [a, b], runs: [run(a, 100, 500), run(b, 100, 500)] })).toEqual({});
  });

  test('accepted-start-ran: a 202 whose input no run received', () => {
    const a = request('x', 202);
    expect(violated({ requests: [a], runs: [] })).toEqual({ 'accepted-start-ran': 1 });
  });

  test('accepted-start-ran: a 202 whose input two runs received', () => {
    const a = request('x', 202);
    const twice = { ...run(a, 1_000, 1_100), runId: 'other' };
    expect(violated({ requests: [a], runs: [run(a, 100, 200), twice] })).toEqual({
      'accepted-start-ran': 1,
    });
  });

  test('run-explained: a run with an input nobody sent', () => {
    expect(
      violated({ requests: [], runs: [run({ marker: 'ghost', instanceId: 'x' }, 1, 2)] }),
    ).toEqual({ 'run-explained': 1 });
  });

  test('run-explained: a run started by a request that was refused', () => {
    const refused = request('x', 409);
    expect(violated({ requests: [refused], runs: [run(refused, 1, 2)] })).toEqual({
      'run-explained': 1,
    });
  });

  test('run-explained: a 502 with no fault in effect must not have started anything', () => {
    const failed = request('x', 502);
    expect(violated({ requests: [failed], runs: [run(failed, 1, 2)] })).toEqual({
      'run-explained': 1,
      'answers-under-faults': 1,
    });
  });

  test('run-explained: a 503 or no answer may have started a run (a timed-out start can land)', () => {
    const overloaded = request('x', 503);
    const killed = request('y', 0, { faults: ['kill'] });
    const result = checkHistory({
      requests: [overloaded, killed],
      runs: [run(overloaded, 1, 2), run(killed, 1, 2)],
    });
    expect(result.violations).toEqual([]);
    expect(result.summary.landedUnconfirmed).toBe(2);
  });

  test('run-explained: an input marker sent twice cannot tell which request started the run', () => {
    const a = request('x', 202);
    const copy = { ...request('x', 409), marker: a.marker };
    expect(violated({ requests: [a, copy], runs: [run(a, 1, 2)] })).toEqual({
      'run-explained': 1,
    });
  });

  test('run-explained and accepted-start-ran: a 202 whose input ran under another ID', () => {
    const a = request('x', 202);
    expect(violated({ requests: [a], runs: [{ ...run(a, 1, 2), instanceId: 'y' }] })).toEqual({
      'accepted-start-ran': 1,
      'run-explained': 1,
    });
  });

  test.each([
    ['a 500 with no fault', request('x', 500)],
    [
      'a 502 under latency (not an injected error answer)',
      request('x', 502, { faults: ['latency'] }),
    ],
    [
      'a 503 without Retry-After',
      request('x', 503, { retryAfter: undefined, faults: ['blackhole'] }),
    ],
    ['no answer while nothing was killed', request('x', 0, { faults: ['blackhole'] })],
    ['a 400', request('x', 400)],
  ])('answers-under-faults: %s', (_name, answer) => {
    expect(violated({ requests: [answer], runs: [] })).toEqual({ 'answers-under-faults': 1 });
  });

  test('answers-under-faults: a 5xx is excused only by an injected error answer', () => {
    expect(
      violated({ requests: [request('x', 500, { faults: ['error-answer'] })], runs: [] }),
    ).toEqual({});
  });
});

test("the Durable sample's measured behaviour is flagged: extra 202s whose input was dropped, and 500s", () => {
  // Measured on the real engine (bench): a 50-request burst on one fresh ID through the sample's
  // check-then-start; several 202s, a single run (the engine drops the losing start messages),
  // and 500s where the engine refused a duplicate start.
  const accepted = Array.from({ length: 4 }, () => request('sample', 202));
  const refused = Array.from({ length: 40 }, () => request('sample', 409));
  const failed = Array.from({ length: 6 }, () => request('sample', 500));
  const result = checkHistory({
    requests: [...accepted, ...refused, ...failed],
    runs: [run(accepted[0], 2_000, 3_000)],
  });
  expect(result.perInvariant).toEqual({
    'no-overlap': 0,
    'accepted-start-ran': 3,
    'run-explained': 0,
    'answers-under-faults': 6,
    'other-orchestrator-untouched': 0,
    'signal-received-once': 0,
    'schedule-ticks': 0,
  });
  expect(result.violations[0].detail).toMatch(
    /^202 for input m\d+ \(via i\d\) but no run received/,
  );
});

describe('other-orchestrator-untouched', () => {
  // Another orchestrator's run, started past the starter on purpose, then starts of chaosJob.
  const other = (instanceId: string) => ({ marker: `other-${instanceId}`, instanceId });
  const outOfBand = (instanceId: string) => ({ ...other(instanceId), why: 'another orchestrator' });

  test('refused starts leave its running and its ended run alone: no violation', () => {
    const running = run(other('r'), 100, 5_000, 'chaosOtherJob');
    const ended = run(other('e'), 100, 200, 'chaosOtherJob');
    const asks = ['reject', 'attach', 'restart'].flatMap((onConflict) => [
      request('r', 409, { onConflict: onConflict as RequestRecord['onConflict'] }),
      request('e', 409, { onConflict: onConflict as RequestRecord['onConflict'] }),
    ]);
    expect(
      violated({
        requests: asks,
        runs: [running, ended],
        outOfBandStarts: [outOfBand('r'), outOfBand('e')],
      }),
    ).toEqual({});
  });

  test("a start that replaced another orchestrator's ended run (the sample's check-then-start)", () => {
    const ended = run(other('e'), 100, 200, 'chaosOtherJob');
    const replacing = request('e', 202, { sentAt: 1_500 });
    const history: History = {
      requests: [replacing],
      runs: [ended, run(replacing, 2_000, 2_100)],
      outOfBandStarts: [outOfBand('e')],
    };
    expect(violated(history)).toEqual({ 'other-orchestrator-untouched': 1 });
    expect(checkHistory(history).violations[0].detail).toMatch(
      /of chaosJob .* replaced run run-other-e of chaosOtherJob/,
    );
  });

  test("a restart that terminated another orchestrator's running run, without a run of its own", () => {
    const cutShort = { ...run(other('r'), 100, 1_200, 'chaosOtherJob'), ended: false };
    const restart = request('r', 503, { onConflict: 'restart', sentAt: 1_000 });
    expect(
      violated({ requests: [restart], runs: [cutShort], outOfBandStarts: [outOfBand('r')] }),
    ).toEqual({ 'other-orchestrator-untouched': 1 });
  });

  test('its own orchestrator replacing or terminating its run is not this invariant', () => {
    const first = request('own', 202);
    const restart = request('own', 202, { onConflict: 'restart', sentAt: 3_000 });
    const history: History = {
      requests: [first, restart],
      runs: [{ ...run(first, 100, 2_900), ended: false }, run(restart, 3_100, 3_200)],
    };
    expect(violated(history)).toEqual({});
  });

  test("an operator's terminate that cut another orchestrator's run short (the extension's links)", () => {
    const cutShort = { ...run(other('r'), 100, 1_200, 'chaosOtherJob'), ended: false };
    const terminate = {
      operation: 'terminate' as const,
      orchestrator: 'chaosJob',
      instanceId: 'r',
      via: 'extension' as const,
      sentAt: 1_000,
      status: 202,
    };
    const history: History = {
      requests: [],
      runs: [cutShort],
      outOfBandStarts: [outOfBand('r')],
      operations: [terminate],
    };
    expect(violated(history)).toEqual({ 'other-orchestrator-untouched': 1 });
    expect(checkHistory(history).violations[0].detail).toMatch(
      /request\(s\) to terminate chaosJob/,
    );
    // Refused by the app's route (404), the run ends by itself: no violation.
    expect(
      violated({
        ...history,
        runs: [{ ...cutShort, ended: true }],
        operations: [{ ...terminate, via: 'app', status: 404 }],
      }),
    ).toEqual({});
  });

  test('a request sent before the other run began cannot have cut it short', () => {
    const early = request('late', 409, { sentAt: 50 });
    const unfinished = { ...run(other('late'), 100, 1_200, 'chaosOtherJob'), ended: false };
    expect(
      violated({ requests: [early], runs: [unfinished], outOfBandStarts: [outOfBand('late')] }),
    ).toEqual({});
  });
});

describe('signal-received-once', () => {
  test('a history that keeps it: each answered signal read once, the rest read at most once', () => {
    // A run started by a start; a signal raised to it (200), another read twice (a retry of the
    // same ID, recognised as a duplicate), one that found the lock busy (409, not raised).
    const started = request('s', 202);
    const attached = signal('s', 200);
    const retried = signal('s', 200);
    const busy = signal('s', 409);
    // The run ended; a signal started a new run and raised to it (202).
    const restarting = signal('s', 202);
    // Storage went dark: one unconfirmed signal was read after all, one was not; one got no
    // answer from a killed instance and was read; a 500 under an injected error answer.
    const dark = signal('s', 503, { faults: ['blackhole'] });
    const darkLost = signal('s', 503, { faults: ['blackhole'] });
    const killed = signal('s', 0, { faults: ['kill'] });
    const injected = signal('s', 500, { faults: ['error-answer'] });
    // An event raised past the starter on purpose, read as a fresh signal.
    const past = { marker: 'raw-1', instanceId: 's', why: 'raised through the extension API' };
    const history: History = {
      requests: [started, attached, retried, busy, restarting, dark, darkLost, killed, injected],
      runs: [
        reading(run(started, 100, 900), attached, retried, { ...retried, duplicate: true }, past),
        reading(run(restarting, 1_000, 2_000), restarting, dark, killed, injected),
      ],
      outOfBandSignals: [past],
    };
    const result = checkHistory(history);
    expect(result.violations).toEqual([]);
    expect(result.summary.signals).toEqual({
      sent: 8,
      statuses: { '0': 1, '200': 2, '202': 1, '409': 1, '500': 1, '503': 2 },
      received: 7,
      receivedUnconfirmed: 3,
      duplicates: 1,
      outOfBand: 1,
      discarded: 0,
      uncertain: 0,
    });
  });

  test.each([200, 202])('(a) a signal answered %i that no run received: lost', (status) => {
    const lost = signal('x', status);
    const runs = status === 202 ? [run(lost, 100, 200)] : [];
    const history: History = { requests: [lost], runs };
    expect(violated(history)).toEqual({ 'signal-received-once': 1 });
    expect(checkHistory(history).violations[0].detail).toMatch(
      new RegExp(
        `^signal s-${lost.marker} \\(ping, via i\\d\\) was answered ${status} but no run of this ID received it`,
      ),
    );
  });

  test('(a) a signal answered 200 whose marker a run of another ID received', () => {
    const elsewhere = signal('x', 200);
    const other = request('y', 202);
    expect(
      violated({ requests: [elsewhere, other], runs: [reading(run(other, 1, 2), elsewhere)] }),
    ).toEqual({ 'signal-received-once': 2 });
  });

  test('(a) a signal read only as a duplicate was never read as new: lost', () => {
    const started = request('x', 202);
    const ping = signal('x', 200);
    const runs = [reading(run(started, 1, 2), { ...ping, duplicate: true })];
    expect(violated({ requests: [started, ping], runs })).toEqual({ 'signal-received-once': 1 });
  });

  test('(b) one run received the same signal twice as new', () => {
    const started = request('x', 202);
    const ping = signal('x', 200);
    const history: History = {
      requests: [started, ping],
      runs: [reading(run(started, 1, 2), ping, ping)],
    };
    expect(violated(history)).toEqual({ 'signal-received-once': 1 });
    expect(checkHistory(history).violations[0].detail).toMatch(
      /received 2 times as new, by run run-m\d+ \(input m\d+\)$/,
    );
  });

  test('(b) two runs received the same signal (the run it reached, and the one started for it)', () => {
    const first = request('x', 202);
    const ping = signal('x', 202);
    const history: History = {
      requests: [first, ping],
      runs: [reading(run(first, 1, 2), ping), reading(run(ping, 3, 4), ping)],
    };
    expect(violated(history)).toEqual({ 'signal-received-once': 1 });
    expect(checkHistory(history).violations[0].detail).toMatch(/ and run /);
  });

  test('(b) an unconfirmed signal received by two runs is still one too many', () => {
    const first = request('x', 202);
    const ping = signal('x', 503);
    const runs = [reading(run(first, 1, 2), ping), reading(run(ping, 3, 4), ping)];
    expect(violated({ requests: [first, ping], runs })).toEqual({ 'signal-received-once': 1 });
  });

  test.each([
    ['409 (another orchestrator, or the lock busy)', 409, []],
    ['400', 400, []],
    ['404', 404, []],
  ] as const)('(c) the event of a signal answered %s reached a run', (_name, status, faults) => {
    const started = request('x', 202);
    const refused = signal('x', status, { faults: [...faults] });
    const extra = status === 409 ? {} : { 'answers-under-faults': 1 };
    expect(
      violated({ requests: [started, refused], runs: [reading(run(started, 1, 2), refused)] }),
    ).toEqual({ 'signal-received-once': 1, ...extra });
  });

  test('(c) a 500 with no fault in effect must not have raised anything', () => {
    const started = request('x', 202);
    const failed = signal('x', 500);
    expect(
      violated({ requests: [started, failed], runs: [reading(run(started, 1, 2), failed)] }),
    ).toEqual({ 'signal-received-once': 1, 'answers-under-faults': 1 });
  });

  test('(c) a refused signal read only as a duplicate still reached a run', () => {
    const started = request('x', 202);
    const refused = signal('x', 409);
    const runs = [reading(run(started, 1, 2), { ...refused, duplicate: true })];
    expect(violated({ requests: [started, refused], runs })).toEqual({
      'signal-received-once': 1,
    });
  });

  test('(c) a marker no signal and no deliberate raise of this ID carried', () => {
    const started = request('x', 202);
    const raisedElsewhere = { marker: 'raw-2', instanceId: 'y', why: 'past the starter' };
    expect(
      violated({
        requests: [started],
        runs: [reading(run(started, 1, 2), { marker: 'ghost' }, raisedElsewhere)],
        outOfBandSignals: [raisedElsewhere],
      }),
    ).toEqual({ 'signal-received-once': 2 });
  });

  test("(c) a signal's start marker is not its event's: a 200 that started a run is run-explained's", () => {
    const ping = signal('x', 200);
    expect(violated({ requests: [ping], runs: [reading(run(ping, 1, 2), ping)] })).toEqual({
      'run-explained': 1,
    });
  });

  describe('reads the engine discarded', () => {
    // Measured: a read recorded by an episode whose history commit lost to another worker's
    // ("split brain"); the event was then dropped with the run, and the starter raised it again to
    // a new run it started (202), which read it.
    const first = request('x', 202);
    const ping = signal('x', 202);
    const phantom = { ...ping, proven: false };

    test('an unproven read of a run that ended is not a read: one run received it', () => {
      const history: History = {
        requests: [first, ping],
        runs: [reading(run(first, 1, 2), phantom), reading(run(ping, 3, 4), ping)],
      };
      expect(violated(history)).toEqual({});
      expect(checkHistory(history).summary.signals).toMatchObject({ received: 1, discarded: 1 });
    });

    test('the same read proven: received twice', () => {
      const history: History = {
        requests: [first, ping],
        runs: [reading(run(first, 1, 2), ping), reading(run(ping, 3, 4), ping)],
      };
      expect(violated(history)).toEqual({ 'signal-received-once': 1 });
    });

    test('an unproven read of a run cut short (terminated) counts as received, and for (c)', () => {
      const attached = signal('x', 200);
      const cutShort = {
        ...reading(run(first, 1, 2), { ...attached, proven: false }),
        ended: false,
      };
      expect(violated({ requests: [first, attached], runs: [cutShort] })).toEqual({});
      const refused = signal('x', 409);
      expect(
        violated({
          requests: [first, refused],
          runs: [{ ...reading(run(first, 1, 2), { ...refused, proven: false }), ended: false }],
        }),
      ).toEqual({ 'signal-received-once': 1 });
    });

    // Measured in scenario h's restart phase: the ping raised past the starter, read by a run in
    // an episode the engine discarded, the run terminated by a restart, the ping read by the next.
    const raised = { marker: 'raw-1', instanceId: 'x', why: 'past the starter' };
    const restarted = request('x', 202);

    test('an unproven read of a run cut short, kept by the next run: received once', () => {
      const cutShort = { ...reading(run(first, 1, 2), { ...raised, proven: false }), ended: false };
      const history: History = {
        requests: [first, restarted],
        runs: [cutShort, reading(run(restarted, 3, 4), raised)],
        outOfBandSignals: [raised],
      };
      expect(violated(history)).toEqual({});
      expect(checkHistory(history).summary.signals).toMatchObject({ received: 1, uncertain: 1 });
    });

    test('a read kept by a run cut short, and by the next run: received twice', () => {
      const cutShort = { ...reading(run(first, 1, 2), raised), ended: false };
      const history: History = {
        requests: [first, restarted],
        runs: [cutShort, reading(run(restarted, 3, 4), raised)],
        outOfBandSignals: [raised],
      };
      expect(violated(history)).toEqual({ 'signal-received-once': 1 });
    });

    test('an unproven read before a proven one of the same run cut short: discarded', () => {
      const attached = signal('x', 200);
      const later = signal('x', 200);
      const cutShort = {
        ...reading(
          run(first, 1, 2),
          { ...attached, proven: false, at: 1 },
          { signal: later.signal, at: 2 },
        ),
        ended: false,
      };
      const history: History = { requests: [first, attached, later], runs: [cutShort] };
      // The proven later read replayed all the engine kept before it: the first was not kept.
      expect(violated(history)).toEqual({ 'signal-received-once': 1 });
      expect(checkHistory(history).summary.signals).toMatchObject({ discarded: 1, uncertain: 0 });
    });

    test('a 200 whose only read was discarded: lost', () => {
      const attached = signal('x', 200);
      const runs = [reading(run(first, 1, 2), { ...attached, proven: false })];
      expect(violated({ requests: [first, attached], runs })).toEqual({
        'signal-received-once': 1,
      });
    });
  });
});

describe('schedule runs', () => {
  it('leave run-explained to schedule-ticks, which finds a tick run twice', () => {
    const tickRun = (runId: string, startedAt: number) => ({
      runId,
      instanceId: 'chaos-sched-skip',
      orchestrator: 'chaosJob',
      marker: 'sched:chaos-skip:2026-01-01T00:00:02.000Z',
      startedAt,
      lastSeenAt: startedAt + 500,
      ended: true,
      signals: [],
    });
    const result = checkHistory({
      requests: [],
      runs: [tickRun('r1', 1_000), tickRun('r2', 5_000)],
      schedules: [
        { name: 'chaos-skip', instanceId: 'chaos-sched-skip', intervalMs: 2_000, from: 0, to: 0 },
      ],
    });
    expect(result.perInvariant['run-explained']).toBe(0);
    expect(result.perInvariant['schedule-ticks']).toBeGreaterThanOrEqual(1);
  });
});
