/**
 * The baseline of scenario i (`CHAOS_SCHEDULES_VIA=timer`; never deployed): a schedule as users
 * write it without this app's scheduler, a Functions timer every 2 s that reads the job's status
 * and starts it unless it runs (the Durable sample's check, then `startNew`). It keeps no account
 * of its ticks: one that fails (storage down, the instance killed) is gone without a trace.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { CHAOS_JOB } from './chaosJob';
import { scheduleMarker } from './chaosSchedules';

export const NAIVE_SCHEDULE = { name: 'naive', instanceId: 'chaos-sched-naive', intervalMs: 2_000 };
const RUNNING = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

export async function naiveTick(_timer: Timer, context: InvocationContext): Promise<void> {
  const { name, instanceId, intervalMs } = NAIVE_SCHEDULE;
  const tick = new Date(Math.floor(Date.now() / intervalMs) * intervalMs).toISOString();
  const client = df.getClient(context);
  const status = await client.getStatus(instanceId).catch(() => undefined);
  if (status && RUNNING.has(String(status.runtimeStatus))) return;
  await client.startNew(CHAOS_JOB, {
    instanceId,
    input: { marker: scheduleMarker(name, tick), holdSeconds: 3, beatSeconds: 1 },
  });
}

app.timer('chaosNaiveSchedule', {
  schedule: '*/2 * * * * *',
  extraInputs: [df.input.durableClient()],
  handler: naiveTick,
});
