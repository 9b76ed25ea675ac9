import type { Schedule } from '../../../src/schedules/definition';
import { ScheduleTelemetry } from '../../../src/telemetry/scheduleTelemetry';
import { recordingTelemetry } from './telemetryWorld';

const schedule: Schedule = {
  name: 'hourly',
  orchestrator: 'job',
  instanceId: 'job-1',
  timing: { kind: 'cron', expression: '0 0 * * * *' },
  input: null,
  overlap: 'bufferOne',
  catchupWindowMs: 0,
  pauseOnFailure: false,
  bufferLimit: 10,
  cancelEvent: 'cancel',
  initiallyPaused: false,
};
const TICK = '2026-01-01T01:00:00.000Z';

describe('the schedule telemetry', () => {
  it('records a singleton.schedule.tick span per try and counts it by schedule and outcome', async () => {
    const { tracer, meter, spans, counted } = recordingTelemetry();
    const telemetry = new ScheduleTelemetry({ tracer, meter });
    await telemetry.tick(schedule, TICK, () =>
      Promise.resolve({ kind: 'started', instanceId: 'job-1' }),
    );
    await telemetry.tick(schedule, TICK, () =>
      Promise.resolve({ kind: 'unavailable', detail: 'no answer' }),
    );
    const [started, unavailable] = spans();
    expect(started?.name).toBe('singleton.schedule.tick');
    expect(started?.attributes).toEqual({
      'singleton.schedule': 'hourly',
      'singleton.schedule.tick_time': TICK,
      'singleton.schedule.overlap': 'bufferOne',
      'singleton.orchestrator': 'job',
      'singleton.outcome': 'started',
    });
    expect(unavailable?.attributes['error.type']).toBe('unavailable');
    const points = (await counted()).map((c) => ({ name: c.name, ...c.attributes }));
    expect(points).toEqual([
      {
        name: 'singleton.schedule.ticks',
        'singleton.schedule': 'hourly',
        'singleton.outcome': 'started',
      },
      {
        name: 'singleton.schedule.ticks',
        'singleton.schedule': 'hourly',
        'singleton.outcome': 'unavailable',
      },
    ]);
  });
});
