import { keepInstanceIds, redactInstanceIds } from '../../../src/redaction';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import { checkSignalRequest } from '../../../src/singleton/request';
import type { SignalCommand } from '../../../src/singleton/signal';
import { SignalTelemetry } from '../../../src/telemetry/signalTelemetry';
import { fakeWorld } from '../singleton/fakes';
import { recordingTelemetry } from './telemetryWorld';

exposeForSingletonStart('tracedSignalJob', { events: { poke: {} } });
const command = checkSignalRequest({
  orchestrator: 'tracedSignalJob',
  instanceId: 'tenant-7',
  eventName: 'poke',
}) as SignalCommand;

const instances = fakeWorld().instances;
instances.seed('tenant-7', 'Running', 'tracedSignalJob');

function world(redact: boolean) {
  const { tracer, meter, spans, counted } = recordingTelemetry();
  const telemetry = new SignalTelemetry({
    redaction: redact ? redactInstanceIds : keepInstanceIds,
    tracer,
    meter,
  });
  return { telemetry, spans, counted };
}

describe('the signal telemetry', () => {
  it('records a singleton.signal span and counts the outcome by orchestrator and event', async () => {
    const w = world(false);
    await w.telemetry.run(command, instances, async (traced) => {
      await traced.raise('tenant-7', 'poke', null);
      return { kind: 'signaled', instanceId: 'tenant-7', runtimeStatus: 'Running' };
    });
    await w.telemetry.run(command, instances, () =>
      Promise.resolve({ kind: 'unavailable', detail: 'no answer' }),
    );
    const [raise, first, second] = w.spans();
    expect(raise?.name).toBe('singleton.instances.raise');
    expect(raise?.parentSpanContext?.spanId).toBe(first?.spanContext().spanId);
    expect(raise?.attributes).toMatchObject({
      'singleton.event': 'poke',
      'singleton.raised': 'raised',
    });
    expect(first?.name).toBe('singleton.signal');
    expect(first?.attributes).toEqual({
      'singleton.orchestrator': 'tracedSignalJob',
      'singleton.event': 'poke',
      'singleton.task_hub': 'hub',
      'singleton.instance_id': 'tenant-7',
      'singleton.outcome': 'signaled',
    });
    expect(second?.attributes['error.type']).toBe('unavailable');
    expect(await w.counted()).toEqual([
      {
        name: 'singleton.signal.outcomes',
        attributes: {
          'singleton.orchestrator': 'tracedSignalJob',
          'singleton.event': 'poke',
          'singleton.outcome': 'signaled',
        },
        value: 1,
      },
      {
        name: 'singleton.signal.outcomes',
        attributes: {
          'singleton.orchestrator': 'tracedSignalJob',
          'singleton.event': 'poke',
          'singleton.outcome': 'unavailable',
        },
        value: 1,
      },
    ]);
  });

  it('counts a signal the run has not read yet as unconfirmed, not as a backend failure', async () => {
    const w = world(false);
    await w.telemetry.run(command, instances, () =>
      Promise.resolve({ kind: 'unavailable', detail: 'not read', unconfirmed: true }),
    );
    const [span] = w.spans();
    expect(span?.attributes['singleton.outcome']).toBe('unconfirmed');
    expect((await w.counted())[0]?.attributes['singleton.outcome']).toBe('unconfirmed');
  });

  it('leaves the instance ID out when redacting', async () => {
    const w = world(true);
    await w.telemetry.run(command, instances, async (traced) => {
      await traced.status('tenant-7');
      return { kind: 'started', instanceId: 'tenant-7' };
    });
    const recorded = w.spans();
    expect(recorded.map((s) => s.name)).toEqual(['singleton.instances.status', 'singleton.signal']);
    expect(JSON.stringify(recorded.map((s) => s.attributes))).not.toContain('tenant-7');
  });
});
