/**
 * Scheduled singletons on the real engine, with the test schedules of
 * tools/local-host/fixtures/schedules.ts (loaded by `npm run host:local`; each created paused, and
 * paused again after its test): skip, bufferOne, terminateOther and cancelOther, pause and resume,
 * trigger now, pause on failure, a schedule that cannot fire, and an unknown one.
 */
import { BASE, call, uniqueId } from './http';

interface View {
  name: string;
  scheduler: string | null;
  error?: string;
  overlap?: string;
  nextTick: string | null;
  paused: { reason: string; at: string } | null;
  buffer: string[];
  last: { tick: string; fate: string; at: string; instanceId?: string } | null;
  counts: Record<
    'started' | 'buffered' | 'skipped' | 'refused' | 'missed' | 'paused',
    number
  > | null;
}

const ZERO = { started: 0, buffered: 0, skipped: 0, refused: 0, missed: 0, paused: 0 };
const view = async (name: string) =>
  (await call('GET', `schedules/${name}`)).json as unknown as View;
const counts = async (name: string) => (await view(name)).counts ?? ZERO;
/**
 * A command as the README tells a caller to send one: with an Idempotency-Key, and again with the
 * same key after a 503 (a scheduler just started, on a busy host, may read it after the 10 s wait).
 */
let commands = 0;
async function command(name: string, what: 'pause' | 'resume' | 'trigger') {
  // A key per command (uniqueId is per run): the same key twice would be one command, answered twice.
  const headers = { 'Idempotency-Key': uniqueId(`${name}-${what}-${++commands}`) };
  for (let attempt = 1; ; attempt++) {
    const answer = await call('POST', `schedules/${name}/${what}`, undefined, headers);
    if (answer.status !== 503 || attempt === 3) return answer;
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 45_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The job instance's status, from the extension's own API. */
async function job(instanceId: string) {
  const response = await fetch(
    `${BASE}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`,
  );
  return response.status === 404
    ? undefined
    : ((await response.json()) as { runtimeStatus: string; createdTime: string; output: unknown });
}

/** Resumes `name` for the test, and pauses it again whatever happens. */
async function whileResumed(name: string, test: () => Promise<void>) {
  const resumed = await command(name, 'resume');
  expect(resumed.status).toBe(200);
  try {
    await test();
  } finally {
    await command(name, 'pause');
  }
}

beforeAll(async () => {
  const listed = await call('GET', 'schedules');
  const names = ((listed.json.schedules ?? []) as View[]).map((s) => s.name);
  if (!names.includes('e2e-skip')) {
    throw new Error(
      `The host has no test schedules (listed: ${names.join(', ') || 'none'}). Load tools/local-host/fixtures/schedules.ts: npm run host:local does, unless LOCAL_HOST_EXTRA_FUNCTIONS leaves it out.`,
    );
  }
});

describe('schedules', () => {
  it('lists the declared schedules with their state, the sample among them', async () => {
    const listed = await call('GET', 'schedules');
    expect(listed.status).toBe(200);
    const sample = ((listed.json.schedules ?? []) as View[]).find((s) => s.name === 'hourly-batch');
    expect(sample).toMatchObject({ overlap: 'bufferOne' });
  });

  it('skip: ticks while the run runs start nothing and are counted', async () => {
    const before = await counts('e2e-skip');
    await whileResumed('e2e-skip', async () => {
      // Runs last 5 s and ticks come every 2 s: after a start, the next ticks are skipped.
      const after = await until(
        () => counts('e2e-skip'),
        (c) => c.started > before.started && c.skipped >= before.skipped + 2,
      );
      expect(after.buffered).toBe(before.buffered);
      expect((await view('e2e-skip')).buffer).toEqual([]);
    });
  }, 60_000);

  it('bufferOne: one tick waits while the run runs, and starts when it has ended', async () => {
    const before = await counts('e2e-buffer-one');
    await whileResumed('e2e-buffer-one', async () => {
      let mostWaiting = 0;
      const after = await until(
        async () => {
          const seen = await view('e2e-buffer-one');
          mostWaiting = Math.max(mostWaiting, seen.buffer.length);
          return seen;
        },
        // A tick waited, a later one was skipped meanwhile (not queued), and the waiting one ran.
        (seen) =>
          (seen.counts?.started ?? 0) >= before.started + 2 &&
          (seen.counts?.buffered ?? 0) > before.buffered &&
          (seen.counts?.skipped ?? 0) > before.skipped,
      );
      expect(mostWaiting).toBeLessThanOrEqual(1);
      expect(after.buffer.length).toBeLessThanOrEqual(1);
    });
  }, 60_000);

  it('terminateOther: a tick ends the running run and starts a new one', async () => {
    const before = await counts('e2e-terminate');
    await whileResumed('e2e-terminate', async () => {
      await until(
        () => counts('e2e-terminate'),
        (c) => c.started > before.started,
      );
      const first = await until(
        () => job('e2e-schedule-terminate'),
        (status) => status?.runtimeStatus === 'Running',
      );
      // Each run would hold 120 s: a later run under the ID means the tick terminated the first.
      const next = await until(
        () => job('e2e-schedule-terminate'),
        (status) =>
          status?.runtimeStatus === 'Running' && status.createdTime !== first?.createdTime,
      );
      expect(Date.parse(next?.createdTime ?? '')).toBeGreaterThan(
        Date.parse(first?.createdTime ?? ''),
      );
    });
  }, 60_000);

  it('cancelOther: the running run is sent cancel, ends, and the waiting tick starts', async () => {
    const before = await counts('e2e-cancel');
    await whileResumed('e2e-cancel', async () => {
      await until(
        () => counts('e2e-cancel'),
        (c) => c.started >= before.started + 2,
      );
    });
    // A run held 120 s: the second start came only because the first read cancel and ended.
    const status = await job('e2e-schedule-cancel');
    expect(status?.runtimeStatus).toBe('Running');
  }, 60_000);

  it('pause and resume: paused, nothing fires; resumed, the ticks slept are counted and it fires again', async () => {
    await whileResumed('e2e-skip', async () => {
      const paused = await command('e2e-skip', 'pause');
      expect(paused.status).toBe(200);
      // The command answered once the scheduler had read it: the view already shows it.
      expect(paused.json.schedule).toMatchObject({ paused: { reason: 'paused by an operator' } });
      const atPause = await until(
        () => view('e2e-skip'),
        (v) => v.nextTick === null,
      );
      // Ticks come every 2 s: sleep through a few of them.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const slept = await counts('e2e-skip');
      expect(slept.started).toBe(atPause.counts?.started);
      expect(slept.skipped).toBe(atPause.counts?.skipped);
      const resumed = await command('e2e-skip', 'resume');
      const after = resumed.json.schedule as View;
      expect(after.paused).toBeNull();
      expect(after.counts?.paused ?? 0).toBeGreaterThanOrEqual((atPause.counts?.paused ?? 0) + 2);
      await until(
        () => counts('e2e-skip'),
        (c) => c.started + c.skipped > slept.started + slept.skipped,
      );
    });
  }, 60_000);

  it('trigger now: one tick at once, under the overlap policy, even while paused', async () => {
    const before = await counts('e2e-trigger');
    const triggered = await command('e2e-trigger', 'trigger');
    expect(triggered.status).toBe(200);
    const after = await until(
      () => view('e2e-trigger'),
      (v) => (v.counts?.started ?? 0) > before.started,
    );
    expect(after.last).toMatchObject({ fate: 'started', instanceId: 'e2e-schedule-trigger' });
    expect(after.last?.tick).toMatch(/^now-/);
    expect(after.paused).not.toBeNull();
    expect(await job('e2e-schedule-trigger')).toBeDefined();
  }, 60_000);

  it('pause on failure: a failed run pauses the schedule, saying which tick', async () => {
    await whileResumed('e2e-failing', async () => {
      const paused = await until(
        () => view('e2e-failing'),
        (v) => v.paused !== null && v.paused.reason.includes('failed'),
      );
      expect(paused.paused?.reason).toMatch(/^the run of tick .* failed$/);
    });
  }, 60_000);

  it('a schedule that cannot fire says why on every read, naming the setting', async () => {
    const broken = await view('e2e-broken');
    expect(broken.error).toBe(
      'Schedule "e2e-broken" cannot fire: its schedule reads the app setting E2E_UNSET_SCHEDULE, which is not set.',
    );
    expect(broken.nextTick).toBeNull();
  });

  it('an undeclared schedule: 404 on every route, nothing started', async () => {
    const name = uniqueId('nope');
    const read = await call('GET', `schedules/${name}`);
    expect(read.status).toBe(404);
    expect(read.json.type).toBe('urn:durable-singleton:problem:schedule-not-found');
    for (const what of ['pause', 'resume', 'trigger'] as const) {
      expect((await command(name, what)).status).toBe(404);
    }
    expect(await job(`schedule:${name}`)).toBeUndefined();
  });
});
