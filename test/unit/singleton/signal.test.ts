/**
 * Signal-with-start over in-memory ports with the engine's semantics: the event goes to the
 * running run, or to a run started for it, under the ID's lock; never to another orchestrator's
 * instance, never to a run that ended (the engine's 410), and an ended run's ID starts again only
 * as its reuse policy allows.
 */
import { exposeForSingletonStart, findStartable } from '../../../src/singleton/catalog';
import { checkSignalRequest } from '../../../src/singleton/request';
import { SignalFlow, type SignalCommand } from '../../../src/singleton/signal';
import { DependencyError } from '../../../src/dependencies/failure';
import { fakeWorld, JOB } from './fakes';

exposeForSingletonStart('signalJob', {
  events: {
    runNow: {},
    setInterval: {
      data: (raw) =>
        typeof raw === 'number' && raw > 0
          ? { ok: true }
          : { ok: false, problems: ['a positive number'] },
    },
  },
});
exposeForSingletonStart('onceJob', { reuse: 'never', events: { go: {} } });
exposeForSingletonStart('ackJob', { acknowledgesSignals: true, events: { go: {} } });

function command(
  instanceId: string,
  orchestrator = 'signalJob',
  event = 'runNow',
  data: unknown = null,
) {
  const checked = checkSignalRequest({
    orchestrator,
    instanceId,
    eventName: event,
    data,
    input: { n: 1 },
  });
  if ('kind' in checked) throw new Error(checked.detail);
  return checked satisfies SignalCommand;
}

let ids = 0;

function world() {
  const w = fakeWorld();
  return {
    ...w,
    signals: new SignalFlow(w.lock, {
      lockWaitMs: 100,
      receiptWaitMs: 1_000,
      receiptPollMs: 200,
      clock: w.clock,
      newId: () => `signal-${++ids}`,
    }),
  };
}

describe('signal-with-start', () => {
  it('raises the event to its own running instance, under the lock: 200 signaled, nothing started', async () => {
    const w = world();
    w.instances.seed('a', 'Running', 'signalJob');
    expect(await w.signals.signal(command('a'), w.instances, w.log)).toEqual({
      kind: 'signaled',
      instanceId: 'a',
      runtimeStatus: 'Running',
    });
    expect(w.journal).toEqual(['acquire a 100', 'status a', 'raise a runNow', 'released a']);
    expect(w.instances.raised.get('a')).toEqual(['runNow null']);
  });

  it('starts the instance with the input when none runs, and raises the event to the new run', async () => {
    const w = world();
    expect(await w.signals.signal(command('b'), w.instances, w.log)).toEqual({
      kind: 'started',
      instanceId: 'b',
    });
    expect(w.journal).toEqual([
      'acquire b 100',
      'status b',
      'start signalJob b',
      'raise b runNow',
      'released b',
    ]);
    expect(w.instances.startsAccepted('b')).toBe(1);
  });

  it('a run that ended between the read and the raise (the engine’s 410) gets a new run, once', async () => {
    const w = world();
    w.instances.seed('c', 'Running', 'signalJob');
    w.instances.endsBeforeRaise = true;
    expect(await w.signals.signal(command('c'), w.instances, w.log)).toEqual({
      kind: 'started',
      instanceId: 'c',
    });
    expect(w.journal).toEqual([
      'acquire c 100',
      'status c',
      'raise c runNow',
      'status c',
      'start signalJob c',
      'raise c runNow',
      'released c',
    ]);
    expect(w.instances.raised.get('c')).toEqual(['runNow null']);
    expect(w.log.lines).toEqual([
      "Signal 'runNow' to 'signalJob' as 'c': the Running run ended before the event reached it (ended); reading again.",
      "Signal 'runNow' to 'signalJob' as 'c': raised to a run it started.",
    ]);
  });

  it('refuses an ended instance its reuse policy protects, and another orchestrator’s: nothing raised or started', async () => {
    const w = world();
    w.instances.seed('d', 'Completed', 'onceJob');
    w.instances.seed('e', 'Running', JOB);
    const once = await w.signals.signal(command('d', 'onceJob', 'go'), w.instances, w.log);
    expect(once).toMatchObject({ kind: 'conflict', refusal: { rule: 'reuse' } });
    const other = await w.signals.signal(command('e'), w.instances, w.log);
    expect(other).toMatchObject({ kind: 'conflict', refusal: { rule: 'other-orchestrator' } });
    expect(w.journal.filter((line) => /^(raise|start)/.test(line))).toEqual([]);
    expect(w.log.lines).toEqual([
      "Signal 'go' to 'onceJob' as 'd': refused (reuse); nothing raised.",
      "Signal 'runNow' to 'signalJob' as 'e': refused (other-orchestrator); nothing raised.",
    ]);
  });

  it('answers in-progress without reading when a start of the ID holds the lock', async () => {
    const w = world();
    w.lock.busy = true;
    expect(await w.signals.signal(command('f'), w.instances, w.log)).toMatchObject({
      kind: 'conflict',
      refusal: { rule: 'in-progress', lockWaitMs: 100 },
    });
    expect(w.journal).toEqual(['acquire f 100']);
    expect(w.log.lines).toEqual([
      "Signal 'runNow' to 'signalJob' as 'f': another start or signal held the lock for 100 ms → conflict.",
    ]);
  });

  it('leaves the lock to expire when the raise timed out (it may still land): 503', async () => {
    const w = world();
    w.instances.seed('g', 'Running', 'signalJob');
    w.instances.failNext('raise', new DependencyError('durable', 'timedOut', 'no answer'));
    expect(await w.signals.signal(command('g'), w.instances, w.log)).toMatchObject({
      kind: 'unavailable',
    });
    expect(w.journal).toEqual(['acquire g 100', 'status g', 'raise g runNow', 'leftToExpire g']);
  });
});

describe('signal-with-start, the edges', () => {
  it('logs each decision, naming the event, the orchestrator and the ID', async () => {
    const w = world();
    w.instances.seed('l', 'Running', 'signalJob');
    await w.signals.signal(command('l'), w.instances, w.log);
    await w.signals.signal(command('m'), w.instances, w.log);
    expect(w.log.lines).toEqual([
      "Signal 'runNow' to 'signalJob' as 'l': raised to the Running run.",
      "Signal 'runNow' to 'signalJob' as 'm': raised to a run it started.",
    ]);
  });

  it('a start made past the starter between the read and the start: reads again, and raises to it', async () => {
    const w = world();
    w.instances.seed('n', 'Running', 'signalJob');
    w.instances.hideFromReads('n', 1);
    expect(await w.signals.signal(command('n'), w.instances, w.log)).toEqual({
      kind: 'signaled',
      instanceId: 'n',
      runtimeStatus: 'Running',
    });
    expect(w.journal).toEqual([
      'acquire n 100',
      'status n',
      'start signalJob n',
      'status n',
      'raise n runNow',
      'released n',
    ]);
  });

  it('a new run that ended before its event was raised: 503, and the lock released', async () => {
    const w = world();
    w.instances.endsBeforeRaise = true;
    expect(await w.signals.signal(command('o'), w.instances, w.log)).toEqual({
      kind: 'unavailable',
      detail: 'The new run ended before the event reached it; retry.',
    });
    expect(w.journal.at(-1)).toBe('released o');
    expect(w.log.lines).toEqual([
      "Signal 'runNow' to 'signalJob' as 'o': the new run ended before its event was raised (ended).",
    ]);
  });

  it('gives up after the run ended three times under it, raising nothing more', async () => {
    const w = world();
    w.instances.seed('p', 'Running', 'signalJob');
    const raise = w.instances.raise.bind(w.instances);
    w.instances.raise = async (id, name, data) => {
      const answer = await raise(id, name, data);
      // Another run of the ID (past the starter) is running again at every read.
      w.instances.seed('p', 'Running', 'signalJob');
      return answer === 'raised' ? 'ended' : answer;
    };
    expect(await w.signals.signal(command('p'), w.instances, w.log)).toEqual({
      kind: 'unavailable',
      detail: 'The instance changed three times while the event was being raised; retry.',
    });
    expect(w.journal.filter((line) => line.startsWith('raise'))).toHaveLength(3);
  });

  it('leaves the lock to expire when the start timed out, but releases it when a read did', async () => {
    const w = world();
    w.instances.failNext('start', new DependencyError('durable', 'timedOut', 'no answer'));
    expect(await w.signals.signal(command('q'), w.instances, w.log)).toMatchObject({
      kind: 'unavailable',
    });
    expect(w.journal.at(-1)).toBe('leftToExpire q');
    w.instances.failNext('status', new DependencyError('durable', 'timedOut', 'no answer'));
    await w.signals.signal(command('r'), w.instances, w.log);
    expect(w.journal.at(-1)).toBe('released r');
  });

  it('releases the lock when the read after a run ended, or after a start refused, times out', async () => {
    const w = world();
    w.instances.seed('v', 'Running', 'signalJob');
    w.instances.endsBeforeRaise = true;
    const status = w.instances.status.bind(w.instances);
    let reads = 0;
    w.instances.status = async (id) => {
      reads += 1;
      if (reads === 2) throw new DependencyError('durable', 'timedOut', 'no answer');
      return status(id);
    };
    expect(await w.signals.signal(command('v'), w.instances, w.log)).toMatchObject({
      kind: 'unavailable',
    });
    expect(w.journal.at(-1)).toBe('released v');

    const x = world();
    x.instances.seed('w', 'Running', 'signalJob');
    let xReads = 0;
    x.instances.status = async () => {
      xReads += 1;
      if (xReads === 1) return undefined; // misses the run a start past the starter made
      throw new DependencyError('durable', 'timedOut', 'no answer');
    };
    expect(await x.signals.signal(command('w'), x.instances, x.log)).toMatchObject({
      kind: 'unavailable',
    });
    expect(x.journal.at(-1)).toBe('released w');
  });

  it('releases the lock when a raise was refused outright (it did not land): 502', async () => {
    const w = world();
    w.instances.seed('s', 'Running', 'signalJob');
    w.instances.failNext('raise', new DependencyError('durable', 'failed', 'HTTP 400'));
    expect(await w.signals.signal(command('s'), w.instances, w.log)).toEqual({
      kind: 'failed',
      detail: 'HTTP 400',
    });
    expect(w.journal.at(-1)).toBe('released s');
    expect(w.log.lines.at(-1)).toBe("Signal 'runNow' to 'signalJob' as 's' failed: HTTP 400");
  });

  it('answers a lock that cannot be reached as unavailable, touching nothing', async () => {
    const w = world();
    w.lock.failNext(new DependencyError('lock', 'unavailable', 'storage down'));
    expect(await w.signals.signal(command('t'), w.instances, w.log)).toMatchObject({
      kind: 'unavailable',
    });
    expect(w.journal).toEqual(['acquire t 100']);
  });

  it('rethrows what is not a dependency failure (a bug): a 500, not an answer', async () => {
    const w = world();
    w.instances.failNext('status', new TypeError('bug'));
    await expect(w.signals.signal(command('u'), w.instances, w.log)).rejects.toThrow('bug');
    expect(w.journal.at(-1)).toBe('released u');
  });
});

describe('signal-with-start to a run that acknowledges signals', () => {
  const go = (instanceId: string, signalId?: string) => {
    const checked = command(instanceId, 'ackJob', 'go', { n: 2 });
    return signalId === undefined
      ? checked
      : { ...checked, keyed: { idempotencyKey: 'k', signalId } };
  };

  it('raises the event sealed with a signal ID and answers once the run lists it: 200', async () => {
    const w = world();
    w.instances.seed('r1', 'Running', 'ackJob');
    expect(await w.signals.signal(go('r1', 'key.sig'), w.instances, w.log)).toEqual({
      kind: 'signaled',
      instanceId: 'r1',
      runtimeStatus: 'Running',
    });
    expect(w.instances.raised.get('r1')).toEqual([
      'go {"$singletonSignal":"key.sig","data":{"n":2}}',
    ]);
    // The read after the raise found the receipt: no wait.
    expect(w.journal).toEqual([
      'acquire r1 100',
      'status r1',
      'raise r1 go',
      'status r1',
      'released r1',
    ]);
    expect(w.clock.now()).toBe(0);
    expect(w.log.lines).toEqual(["Signal 'go' to 'ackJob' as 'r1': read by the Running run."]);
  });

  it('a run that ended without reading it: a new run gets it (202), under the same hold', async () => {
    const w = world();
    w.instances.seed('r2', 'Running', 'ackJob');
    w.instances.signalReader = 'endsUnread';
    expect(await w.signals.signal(go('r2'), w.instances, w.log)).toEqual({
      kind: 'started',
      instanceId: 'r2',
    });
    expect(w.journal).toEqual([
      'acquire r2 100',
      'status r2',
      'raise r2 go',
      'status r2',
      'status r2',
      'start ackJob r2',
      'raise r2 go',
      'status r2',
      'released r2',
    ]);
    expect(w.log.lines).toContain(
      "Signal 'go' to 'ackJob' as 'r2': the Running run ended without reading the event; reading again.",
    );
    // The same signal ID both times: had the first run read it, the second would ignore it.
    const [first, second] = w.instances.raised.get('r2') ?? [];
    expect(first).toBe(second);
  });

  it('a run it started that ended without reading it: 503, nothing started again', async () => {
    const w = world();
    w.instances.signalReader = 'endsUnread';
    expect(await w.signals.signal(go('r3'), w.instances, w.log)).toEqual({
      kind: 'unavailable',
      detail: 'The run started for the event ended without reading it; nothing else was started.',
    });
    expect(w.instances.startsAccepted('r3')).toBe(1);
    expect(w.log.lines).toEqual([
      "Signal 'go' to 'ackJob' as 'r3': a run it started ended without reading the event.",
    ]);
  });

  it('a run that does not read it within the wait: 503 unconfirmed, read by the clock, lock released', async () => {
    const w = world();
    w.instances.seed('r4', 'Running', 'ackJob');
    w.instances.signalReader = 'never';
    const result = await w.signals.signal(go('r4'), w.instances, w.log);
    expect(result).toEqual({
      kind: 'unavailable',
      detail:
        'The run took the event but has not read it within 1000 ms; retry with the same Idempotency-Key to confirm without raising it again.',
      unconfirmed: true,
    });
    // Reads every 200 ms until the deadline (1 000 ms): at 0, 200, …, 1 000.
    expect(w.journal.filter((line) => line === 'status r4')).toHaveLength(1 + 6);
    expect(w.clock.now()).toBe(1_000);
    expect(w.journal.at(-1)).toBe('released r4');
    expect(w.log.lines).toEqual([
      "Signal 'go' to 'ackJob' as 'r4': the Running run took the event but has not read it within 1000 ms.",
    ]);
  });

  it('a keyed retry whose receipt the run lists raises nothing again: 200', async () => {
    const w = world();
    w.instances.seed('r5', 'Running', 'ackJob');
    w.instances.setCustomStatus('r5', { receivedSignals: ['other', 'key.sig'] });
    expect(await w.signals.signal(go('r5', 'key.sig'), w.instances, w.log)).toEqual({
      kind: 'signaled',
      instanceId: 'r5',
      runtimeStatus: 'Running',
    });
    expect(w.instances.raised.get('r5')).toBeUndefined();
    expect(w.log.lines).toEqual([
      "Signal 'go' to 'ackJob' as 'r5': its run has read it already (a retry); nothing raised again.",
    ]);
  });

  it('the same key for another request (its key part listed with another request part): 422', async () => {
    const w = world();
    w.instances.seed('r6', 'Running', 'ackJob');
    w.instances.setCustomStatus('r6', { receivedSignals: ['key.first'] });
    expect(await w.signals.signal(go('r6', 'key.second'), w.instances, w.log)).toEqual({
      kind: 'keyMismatch',
      idempotencyKey: 'k',
      differences: ['the event, its data or the start input'],
    });
    expect(w.instances.raised.get('r6')).toBeUndefined();
    expect(w.log.lines).toEqual([
      "Signal 'go' to 'ackJob' as 'r6': refused, its Idempotency-Key was used for another signal.",
    ]);
  });

  it('ignores receipts of another orchestrator’s instance: refused as ever', async () => {
    const w = world();
    w.instances.seed('r7', 'Running', 'otherJob');
    w.instances.setCustomStatus('r7', { receivedSignals: ['key.sig'] });
    const result = await w.signals.signal(go('r7', 'key.sig'), w.instances, w.log);
    expect(result.kind).toBe('conflict');
  });

  it('a run it starts inherits the receipts of the ended instance it follows', async () => {
    const w = world();
    w.instances.seed('r9', 'Completed', 'ackJob');
    w.instances.setCustomStatus('r9', { receivedSignals: ['old.1', 'old.2'] });
    expect(await w.signals.signal(go('r9'), w.instances, w.log)).toEqual({
      kind: 'started',
      instanceId: 'r9',
    });
    expect(w.instances.startInputs.get('r9')).toEqual({
      $singletonReceipts: ['old.1', 'old.2'],
      input: { n: 1 },
    });
  });

  it('after a run that ended without reading it, the new run inherits what that run listed', async () => {
    const w = world();
    w.instances.seed('r10', 'Running', 'ackJob');
    w.instances.setCustomStatus('r10', { receivedSignals: ['old.1'] });
    w.instances.signalReader = 'endsUnread';
    expect((await w.signals.signal(go('r10'), w.instances, w.log)).kind).toBe('started');
    expect(w.instances.startInputs.get('r10')).toEqual({
      $singletonReceipts: ['old.1'],
      input: { n: 1 },
    });
  });

  it('without acknowledgement the data goes as sent and nothing waits', async () => {
    const w = world();
    w.instances.seed('r8', 'Running', 'signalJob');
    w.instances.signalReader = 'never';
    await w.signals.signal(command('r8'), w.instances, w.log);
    expect(w.instances.raised.get('r8')).toEqual(['runNow null']);
    expect(w.journal.filter((line) => line === 'status r8')).toHaveLength(1);
  });

  it('without acknowledgement a new run gets the input as sent, whatever the old one listed', async () => {
    const w = world();
    w.instances.seed('r11', 'Completed', 'signalJob');
    w.instances.setCustomStatus('r11', { receivedSignals: ['old.1'] });
    expect((await w.signals.signal(command('r11'), w.instances, w.log)).kind).toBe('started');
    expect(w.instances.startInputs.get('r11')).toEqual({ n: 1 });
  });
});

describe('a signal that may not start a run (startsRun: false)', () => {
  it('raises to the running run, and refuses with not-running when none runs, starting nothing', async () => {
    const w = world();
    w.instances.seed('s1', 'Running', 'signalJob');
    w.instances.seed('s2', 'Completed', 'signalJob');
    const only = (id: string) => ({ ...command(id), startsRun: false as const });
    expect((await w.signals.signal(only('s1'), w.instances, w.log)).kind).toBe('signaled');
    for (const [id, runtimeStatus] of [
      ['s2', 'Completed'],
      ['s3', undefined],
    ] as const) {
      expect(await w.signals.signal(only(id), w.instances, w.log)).toEqual({
        kind: 'conflict',
        instanceId: id,
        refusal: { rule: 'not-running', runtimeStatus },
      });
      expect(w.instances.startsAccepted(id)).toBe(0);
      expect(w.instances.raised.get(id)).toBeUndefined();
      expect(w.log.lines.at(-1)).toBe(
        `Signal 'runNow' to 'signalJob' as '${id}': no run is running and the signal may not start one; nothing raised.`,
      );
    }
  });

  it('is carried from the request by checkSignalRequest', () => {
    const checked = checkSignalRequest({
      orchestrator: 'signalJob',
      instanceId: 'x',
      eventName: 'runNow',
      startsRun: false,
    });
    expect(checked).toMatchObject({ startsRun: false });
  });
});

describe('checkSignalRequest', () => {
  it('finds a declared event case-insensitively and raises it as declared', () => {
    expect(command('h', 'SIGNALJOB', 'RUNNOW').event.name).toBe('runNow');
  });

  it('refuses an event the orchestrator does not declare (404), naming neither', () => {
    const refused = checkSignalRequest({
      orchestrator: 'signalJob',
      instanceId: 'i',
      eventName: 'selfDestruct',
    });
    expect(refused).toEqual({
      kind: 'invalid',
      field: 'event',
      detail: 'signalJob declares no event of this name.',
    });
  });

  it('refuses data the event’s own check refuses', () => {
    expect(
      checkSignalRequest({
        orchestrator: 'signalJob',
        instanceId: 'j',
        eventName: 'setInterval',
        data: -1,
      }),
    ).toMatchObject({
      kind: 'invalid',
      field: 'eventData',
      facts: { errors: ['a positive number'] },
    });
  });

  it('checks the ID as a start does', () => {
    expect(
      checkSignalRequest({ orchestrator: 'signalJob', instanceId: 'a/b', eventName: 'runNow' }),
    ).toMatchObject({ kind: 'invalid', field: 'instanceId' });
  });

  it('refuses to declare an event name the extension’s URL could not carry', () => {
    expect(() => exposeForSingletonStart('badEvents', { events: { 'run now': {} } })).toThrow(
      /letters, digits/,
    );
    expect(findStartable('badEvents')).toBeUndefined();
  });
});
