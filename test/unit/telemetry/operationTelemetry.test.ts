import { SpanStatusCode } from '@opentelemetry/api';
import { keepInstanceIds, redactInstanceIds } from '../../../src/redaction';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import { OperationTelemetry } from '../../../src/telemetry/operationTelemetry';
import { recordingTelemetry } from './telemetryWorld';

exposeForSingletonStart('operatedJob');

function world(redact: boolean) {
  const { tracer, meter, spans, counted } = recordingTelemetry();
  const telemetry = new OperationTelemetry({
    redaction: redact ? redactInstanceIds : keepInstanceIds,
    tracer,
    meter,
  });
  return { telemetry, spans, counted };
}

describe('the operator routes’ telemetry', () => {
  it('records a singleton.operate span with the outcome, and counts it by operation', async () => {
    const w = world(false);
    await w.telemetry.run(
      { operation: 'terminate', orchestrator: 'OPERATEDJOB', instanceId: 'j-1' },
      () => Promise.resolve({ kind: 'conflict', rule: 'not-running', runtimeStatus: 'Completed' }),
    );
    await w.telemetry.run(
      { operation: 'status', orchestrator: 'operatedJob', instanceId: 'j-1' },
      () => Promise.resolve({ kind: 'unavailable', detail: 'no answer' }),
    );
    const [conflict, unavailable] = w.spans();
    expect(conflict?.name).toBe('singleton.operate');
    expect(conflict?.attributes).toEqual({
      'singleton.operation': 'terminate',
      'singleton.orchestrator': 'operatedJob',
      'singleton.instance_id': 'j-1',
      'singleton.runtime_status': 'Completed',
      'singleton.outcome': 'conflict',
    });
    expect(conflict?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(unavailable?.attributes['error.type']).toBe('unavailable');
    expect(unavailable?.status.code).toBe(SpanStatusCode.ERROR);
    expect(await w.counted()).toEqual([
      {
        name: 'singleton.operation.outcomes',
        attributes: {
          'singleton.operation': 'terminate',
          'singleton.orchestrator': 'operatedJob',
          'singleton.outcome': 'conflict',
        },
        value: 1,
      },
      {
        name: 'singleton.operation.outcomes',
        attributes: {
          'singleton.operation': 'status',
          'singleton.orchestrator': 'operatedJob',
          'singleton.outcome': 'unavailable',
        },
        value: 1,
      },
    ]);
  });

  it('counts a name nobody exposed as one series, a throw as error, and redacts the ID', async () => {
    const w = world(true);
    await w.telemetry.run({ operation: 'purge', orchestrator: 'madeUp-1', instanceId: 'j-2' }, () =>
      Promise.resolve({ kind: 'notFound' }),
    );
    await expect(
      w.telemetry.run({ operation: 'list', orchestrator: 'madeUp-2' }, () =>
        Promise.reject(new TypeError('bug')),
      ),
    ).rejects.toThrow('bug');
    const recorded = w.spans();
    expect(JSON.stringify(recorded.map((s) => s.attributes))).not.toContain('j-2');
    expect(recorded[1]?.attributes).toMatchObject({
      'singleton.outcome': 'error',
      'error.type': 'TypeError',
    });
    expect((await w.counted()).map((c) => c.attributes)).toEqual([
      {
        'singleton.operation': 'purge',
        'singleton.orchestrator': '(not exposed)',
        'singleton.outcome': 'notFound',
      },
      {
        'singleton.operation': 'list',
        'singleton.orchestrator': '(not exposed)',
        'singleton.outcome': 'error',
      },
    ]);
  });
});
