/**
 * The start request's spans and metrics, outcome by outcome: the start flow itself, run through
 * the telemetry wrapper over the in-memory ports, with an in-memory OpenTelemetry SDK.
 */
import { DependencyError } from '../../../src/dependencies/failure';
import { settle } from '../singleton/fakes';
import {
  byAttributes,
  command,
  histogramCount,
  histogramSum,
  isError,
  telemetryWorld,
} from './telemetryWorld';

const asked = {
  'singleton.orchestrator': 'job',
  'singleton.on_conflict': 'reject',
  'singleton.reuse': 'always',
  'singleton.task_hub': 'hub',
  'singleton.instance_id': 'id',
};

describe('the request span, by outcome', () => {
  it('started: the ask, the outcome, the lock wait, and a child span per port call', async () => {
    const w = telemetryWorld();

    const outcome = await w.telemetry.run(command(), w.call, w.flow);
    // The release lands after the answer, as storage's does: the span says how the hold ended
    // all the same (it ended before the release, so the attribute must be set before then).
    await settle();

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    const span = w.span('singleton.start');
    expect(span.attributes).toEqual({
      ...asked,
      'singleton.outcome': 'started',
      'singleton.lock.wait_ms': 0,
      'singleton.lock.hold_end': 'released',
    });
    expect(isError(span)).toBe(false);
    // Reuse `always`, no restart: straight to the lock, and the engine's check decides (start.ts).
    expect(w.children()).toEqual([
      'singleton.lock.acquire',
      'singleton.instances.start',
      'singleton.lock.release',
    ]);
    expect(w.span('singleton.lock.acquire').attributes).toEqual({
      'singleton.task_hub': 'hub',
      'singleton.instance_id': 'id',
      // The first request for the lock does not wait for another holder (start.ts, point 3).
      'singleton.lock.wait_budget_ms': 0,
      'singleton.lock.acquired': true,
      'singleton.lock.wait_ms': 0,
    });
    expect(w.span('singleton.instances.start').attributes['singleton.orchestrator']).toBe('job');
  });

  it('restart: the terminate and the status polls are child spans too', async () => {
    const w = telemetryWorld();
    w.instances.seed('id', 'Running');
    w.instances.terminateTakesMs = 0;

    await w.telemetry.run(command('restart'), w.call, w.flow);

    expect(w.span('singleton.start').attributes['singleton.outcome']).toBe('started');
    expect(w.children()).toContain('singleton.instances.terminate');
    const reads = w.spans().filter((s) => s.name === 'singleton.instances.status');
    // The read under the lock, then the polls until it has ended.
    expect(reads.map((s) => s.attributes['singleton.runtime_status'])).toEqual([
      'Running',
      'Terminated',
    ]);
  });

  it('attached: the runtime status, from the engine refusing the start under the lock', async () => {
    const w = telemetryWorld();
    w.instances.seed('id', 'Running');

    await w.telemetry.run(command('attach'), w.call, w.flow);
    await settle();

    expect(w.span('singleton.start').attributes).toEqual({
      ...asked,
      'singleton.on_conflict': 'attach',
      'singleton.outcome': 'attached',
      'singleton.runtime_status': 'Running',
      'singleton.lock.wait_ms': 0,
      'singleton.lock.hold_end': 'released',
    });
    // Whose instance the engine refused for is read before anyone is attached to it.
    expect(w.children()).toEqual([
      'singleton.lock.acquire',
      'singleton.instances.start',
      'singleton.instances.status',
      'singleton.lock.release',
    ]);
    expect(w.span('singleton.instances.start').attributes['singleton.engine_refused']).toBe(true);
  });

  it('conflict (running, seen by the starter): the rule, who saw it, the status', async () => {
    const w = telemetryWorld();
    w.instances.seed('id', 'Suspended');

    // failedOnly: the decision depends on what exists, so the starter reads the status.
    await w.telemetry.run(command('reject', 'failedOnly'), w.call, w.flow);

    const span = w.span('singleton.start');
    expect(span.attributes).toMatchObject({
      'singleton.outcome': 'conflict',
      'singleton.conflict.rule': 'running',
      'singleton.conflict.seen_by': 'starter',
      'singleton.runtime_status': 'Suspended',
    });
    expect(isError(span)).toBe(false);
  });

  it("conflict (another orchestrator's instance): its rule on the span and on the outcome counter", async () => {
    const w = telemetryWorld();
    // Running: refused even for these tests' orchestrator, which may replace others' ended ones.
    w.instances.seed('id', 'Running', 'otherJob');

    await w.telemetry.run(command('reject', 'failedOnly'), w.call, w.flow);

    expect(w.span('singleton.start').attributes).toMatchObject({
      'singleton.outcome': 'conflict',
      'singleton.conflict.rule': 'other-orchestrator',
      'singleton.runtime_status': 'Running',
    });
    expect(
      byAttributes(await w.metric('singleton.start.outcomes'), (p) => p.value as number),
    ).toEqual({
      'singleton.conflict.rule=other-orchestrator singleton.on_conflict=reject singleton.orchestrator=job singleton.outcome=conflict': 1,
    });
    // The other orchestrator is the operator's to see in the log, not a span attribute's.
    expect(JSON.stringify(w.spans().map((s) => s.attributes))).not.toContain('otherJob');
  });

  it('conflict (running, seen by the engine): the start span says the engine refused, not an error', async () => {
    const w = telemetryWorld();
    w.instances.seed('id', 'Running');
    w.instances.hideFromReads('id', 1);

    const outcome = await w.telemetry.run(command(), w.call, w.flow);

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'running', by: 'engine' } });
    expect(w.span('singleton.start').attributes).toMatchObject({
      'singleton.outcome': 'conflict',
      'singleton.conflict.rule': 'running',
      'singleton.conflict.seen_by': 'engine',
    });
    const start = w.span('singleton.instances.start');
    expect(start.attributes).toMatchObject({
      'singleton.engine_refused': true,
      'singleton.runtime_status': 'Running',
    });
    expect(isError(start)).toBe(false);
  });

  it('conflict (reuse): the rule and the ended instance’s status', async () => {
    const w = telemetryWorld();
    w.instances.seed('id', 'Completed');

    await w.telemetry.run(command('reject', 'never'), w.call, w.flow);

    expect(w.span('singleton.start').attributes).toMatchObject({
      'singleton.reuse': 'never',
      'singleton.outcome': 'conflict',
      'singleton.conflict.rule': 'reuse',
      'singleton.runtime_status': 'Completed',
    });
  });

  it('conflict (in progress): the whole wait, and the lock not acquired', async () => {
    const w = telemetryWorld();
    w.lockHeldElsewhere();

    await w.telemetry.run(command(), w.call, w.flow);

    expect(w.span('singleton.start').attributes).toMatchObject({
      'singleton.outcome': 'conflict',
      'singleton.conflict.rule': 'in-progress',
      'singleton.lock.wait_ms': 10_000,
    });
    // A first request that does not wait, then the bounded wait for the other holder.
    const acquires = w.spans().filter((s) => s.name === 'singleton.lock.acquire');
    expect(acquires.map((s) => s.attributes['singleton.lock.wait_budget_ms'])).toEqual([0, 10_000]);
    expect(acquires[1]!.attributes).toMatchObject({
      'singleton.lock.acquired': false,
      'singleton.lock.wait_ms': 10_000,
    });
  });

  it('unavailable: an error span, and the failing call’s span names the dependency', async () => {
    const w = telemetryWorld();
    w.instances.failNext('status', new DependencyError('durable', 'unavailable', 'no answer'));

    await w.telemetry.run(command('reject', 'failedOnly'), w.call, w.flow);

    const span = w.span('singleton.start');
    expect(span.attributes).toMatchObject({
      'singleton.outcome': 'unavailable',
      'error.type': 'unavailable',
    });
    expect(span.status).toEqual({ code: 2, message: 'no answer' });
    const read = w.span('singleton.instances.status');
    expect(read.attributes).toMatchObject({
      'error.type': 'unavailable',
      'singleton.dependency': 'durable',
    });
    expect(isError(read)).toBe(true);
  });

  it('failed: an error span', async () => {
    const w = telemetryWorld();
    w.lock.failNext(new DependencyError('lock', 'failed', 'forbidden'));

    await w.telemetry.run(command(), w.call, w.flow);

    const span = w.span('singleton.start');
    expect(span.attributes).toMatchObject({
      'singleton.outcome': 'failed',
      'error.type': 'failed',
    });
    expect(isError(span)).toBe(true);
    expect(w.span('singleton.lock.acquire').attributes['singleton.dependency']).toBe('lock');
  });

  it('a start that timed out leaves the lock to expire, said by an event and the hold end', async () => {
    const w = telemetryWorld();
    w.instances.failNext('start', new DependencyError('durable', 'timedOut', 'no answer in time'));

    await w.telemetry.run(command(), w.call, w.flow);

    const span = w.span('singleton.start');
    expect(span.attributes['singleton.lock.hold_end']).toBe('left_to_expire');
    expect(span.events.map((e) => e.name)).toEqual(['singleton.lock.left_to_expire']);
    expect(w.children()).not.toContain('singleton.lock.release');
  });

  it('a throw (a bug): recorded as an exception with its type, and rethrown', async () => {
    const w = telemetryWorld();
    w.instances.failNext('status', new TypeError('boom'));

    await expect(w.telemetry.run(command('reject', 'failedOnly'), w.call, w.flow)).rejects.toThrow(
      'boom',
    );

    const span = w.span('singleton.start');
    expect(span.attributes).toMatchObject({
      'singleton.outcome': 'error',
      'error.type': 'TypeError',
    });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(isError(span)).toBe(true);
    expect(await w.metric('singleton.start.outcomes')).toHaveLength(1);
  });
});

describe('SINGLETON_REDACT_INSTANCE_IDS', () => {
  it('keeps the instance ID out of every span when set', async () => {
    const w = telemetryWorld({ redact: true });
    w.instances.seed('id', 'Failed');
    w.instances.terminateTakesMs = 0;

    await w.telemetry.run(command('reject', 'failedOnly'), w.call, w.flow);

    // The start, the lock, the read under it, the start call (the release ends later).
    expect(w.spans().length).toBeGreaterThanOrEqual(4);
    for (const span of w.spans()) {
      expect(Object.keys(span.attributes)).not.toContain('singleton.instance_id');
      expect(span.attributes['singleton.task_hub']).toBe('hub');
    }
  });

  it("keeps it out of the status and the exception a dependency's text would carry it into", async () => {
    const w = telemetryWorld({ redact: true });
    const quoting = `{"Message":"instance 'id' not reachable","url":"/instances/id?x=1"}`;
    w.instances.failNext('start', new DependencyError('durable', 'unavailable', quoting));

    await w.telemetry.run(command(), w.call, w.flow);

    const text = JSON.stringify(
      w.spans().map(({ attributes, status, events }) => ({ attributes, status, events })),
    );
    expect(text).toContain('not reachable');
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/(?<![\p{L}\p{N}])id(?![\p{L}\p{N}])/u);
  });

  it('records it on every span when not set', async () => {
    const w = telemetryWorld();

    await w.telemetry.run(command(), w.call, w.flow);

    for (const span of w.spans()) {
      expect(span.attributes['singleton.instance_id']).toBe('id');
    }
  });
});

describe('metrics', () => {
  it('count outcomes and measure answer latency and lock wait, never by instance ID', async () => {
    const w = telemetryWorld();
    w.instances.seed('running', 'Running');
    await w.telemetry.run(command('reject', 'always', 'a'), w.call, w.flow);
    await w.telemetry.run(command('reject', 'always', 'b'), w.call, w.flow);
    await w.telemetry.run(command('attach', 'always', 'running'), w.call, w.flow);
    w.lockHeldElsewhere();
    await w.telemetry.run(command('reject', 'always', 'c'), w.call, w.flow);

    const job = 'singleton.on_conflict=reject singleton.orchestrator=job';
    expect(
      byAttributes(await w.metric('singleton.start.outcomes'), (p) => p.value as number),
    ).toEqual({
      [`${job} singleton.outcome=started`]: 2,
      'singleton.on_conflict=attach singleton.orchestrator=job singleton.outcome=attached': 1,
      [`singleton.conflict.rule=in-progress ${job} singleton.outcome=conflict`]: 1,
    });
    const duration = byAttributes(await w.metric('singleton.start.duration'), histogramCount);
    expect(Object.values(duration).reduce((a, b) => a + b)).toBe(4);
    // The in-progress start waited its whole 10 s budget on the fake clock; the others none: a and
    // b started, and the attach held the lock (the engine refused the start under it).
    const waits = await w.metric('singleton.lock.wait.duration');
    expect(byAttributes(waits, histogramCount)).toEqual({
      'singleton.lock.acquired=true singleton.orchestrator=job': 3,
      'singleton.lock.acquired=false singleton.orchestrator=job': 1,
    });
    expect(byAttributes(waits, histogramSum)).toEqual({
      'singleton.lock.acquired=true singleton.orchestrator=job': 0,
      'singleton.lock.acquired=false singleton.orchestrator=job': 10,
    });
    const inProgress = `singleton.conflict.rule=in-progress ${job} singleton.outcome=conflict`;
    expect(byAttributes(await w.metric('singleton.start.duration'), histogramSum)[inProgress]).toBe(
      10,
    );
  });
});

describe('a request sampled out', () => {
  it('records no span, but its metrics, lock wait included', async () => {
    const w = telemetryWorld({ sampledOut: true });
    w.lockHeldElsewhere();

    await w.telemetry.run(command(), w.call, w.flow);

    expect(w.spans()).toEqual([]);
    expect(byAttributes(await w.metric('singleton.lock.wait.duration'), histogramSum)).toEqual({
      'singleton.lock.acquired=false singleton.orchestrator=job': 10,
    });
    expect(await w.metric('singleton.start.outcomes')).toHaveLength(1);
  });
});
