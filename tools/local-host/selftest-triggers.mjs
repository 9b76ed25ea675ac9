/**
 * The self-test's timer and storage-queue checks, against the trigger fixture
 * (fixtures/triggers.ts, loaded beside fixtures/selftest.ts with LH_TIMER_SCHEDULE='*\/N * * * * *'
 * and LH_QUEUE_NAME set). Each invocation is recorded in storage by the fixture, so the checks hold
 * across instances (LOCAL_HOST_INSTANCES > 1): a timer fires once per tick on one of them.
 */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** How a DateTimeOffset reaches a Node worker: Json.NET's ISO form with its offset. */
const OFFSET_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

/** Seconds past the last multiple of `period` seconds: a timer fires on its tick, or just after. */
function onTick(iso, period) {
  const offset = (Date.parse(iso) / 1000) % period;
  return offset < 2 || offset > period - 0.5;
}

/** The period N of `*\/N * * * * *`, or undefined for another form. */
function everyNSeconds(schedule) {
  const m = /^\*\/(\d+) \* \* \* \* \*$/.exec(schedule ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Firings of a tick already fired: the same tick ran on two instances. A firing serves the last
 * tick at or before it (half a second of early firing allowed, as `onTick`): a late one, e.g. on a
 * host still starting up, serves its own tick, and the next tick's firing may follow it closely
 * (measured once in CI: 24.309 then 25.172 on one instance, for the ticks at :20 and :25).
 */
function duplicateTicks(records, period) {
  const ticks = records.map((r) => Math.floor((Date.parse(r.firedAt) / 1000 + 0.5) / period));
  return ticks.length - new Set(ticks).size;
}

/** The last `n` firings: the first one after start can be late (the client binding warms up). */
const steady = (records, n) => (records ?? []).slice(-n);

function client(base) {
  const api = `${base}/api/lh/triggers`;
  const get = async (path) => {
    const res = await fetch(`${api}/${path}`);
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}`);
    return res.json();
  };
  const send = (queue, text) =>
    fetch(`${api}/queue/${encodeURIComponent(queue)}`, { method: 'POST', body: text });
  const status = async (id) =>
    (await fetch(`${base}/runtime/webhooks/durabletask/instances/${id}`)).json().catch(() => null);
  return { get, send, status };
}

async function waitFor(read, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read().catch(() => undefined);
    if (last !== undefined && done(last)) return last;
    await sleep(1000);
  }
  return last;
}

/**
 * Sends the queue messages, first thing: an idle queue is polled at most once a minute
 * (maxPollingInterval), so they may wait that long while the other checks run.
 */
export async function sendTriggerMessages({ base, run }) {
  const { get, send } = client(base);
  const settings = await get('settings').catch((err) => err);
  if (settings instanceof Error) return { settings };
  const started = { kind: 'start', run, when: '2026-01-01T00:00:05.100Z', n: 5, flag: true };
  Object.assign(started, { nested: { x: 1 }, list: [1, 2], none: null });
  const messages = {
    started,
    thrown: { kind: 'throw', run },
    text: `plain text ${run}`,
    viaSetting: { kind: 'setting', run },
  };
  const sent = await Promise.all([
    send('lh-queue', JSON.stringify(messages.started)),
    send('lh-queue', messages.text),
    send('lh-queue', JSON.stringify(messages.thrown)),
    send(settings.LH_QUEUE_NAME, JSON.stringify(messages.viaSetting)),
  ]);
  return { settings, messages, sent: sent.map((r) => r.status) };
}

/** The checks, once the messages are sent; `hub` is the task hub the extension uses. */
export async function checkTriggers({ base, check, run, hub }, sending) {
  const { get, status } = client(base);
  const { settings, messages, sent } = sending;
  if (settings instanceof Error) {
    check('the trigger fixture is loaded (fixtures/triggers.js; see the README)', false, settings);
    return;
  }
  const { started, thrown, text, viaSetting } = messages;
  check(
    'queue messages sent (lh-queue, and the queue named by LH_QUEUE_NAME)',
    sent.every((s) => s === 202),
    sent,
  );

  // ---- timers ----
  const ticks = await waitFor(
    () => get('records/lhTick'),
    (r) => r.length >= 4,
    40000,
  );
  check(
    'timer */5 * * * * * fires, on its ticks',
    ticks?.length >= 4 && steady(ticks, 3).every((r) => onTick(r.firedAt, 5)),
    JSON.stringify(ticks?.map((r) => r.firedAt)),
  );
  const instancesSeen = [...new Set((ticks ?? []).map((r) => r.instance))].sort();
  check(
    `timer fires once per tick across the app's instances (${ticks?.length} firings on instance(s) ${instancesSeen.join(', ')})`,
    ticks?.length > 0 && duplicateTicks(ticks, 5) === 0,
    JSON.stringify(ticks?.map((r) => [r.firedAt, r.instance])),
  );
  check(
    'a timer function gets the host’s timer object (sub-minute: no schedule status)',
    JSON.stringify(ticks?.at(-1)?.timer) ===
      JSON.stringify({ schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false }),
    JSON.stringify(ticks?.at(-1)?.timer),
  );
  const tickRun = ticks?.at(-1);
  const tickStarted = await waitFor(
    () => status(tickRun?.instanceId),
    (s) => s?.runtimeStatus === 'Completed',
    20000,
  );
  check(
    'a timer function’s durable client input works (task hub; the orchestration it started completed)',
    tickRun?.taskHubName === hub &&
      JSON.stringify(tickStarted?.output) === JSON.stringify({ source: 'lhTick' }),
    JSON.stringify({ taskHubName: tickRun?.taskHubName, hub, status: tickStarted }),
  );

  const period = everyNSeconds(settings.LH_TIMER_SCHEDULE);
  const settingTicks = await waitFor(
    () => get('records/lhSettingTick'),
    (r) => r.length >= 3,
    40000,
  );
  check(
    `a %LH_TIMER_SCHEDULE% schedule resolves from the app setting (${settings.LH_TIMER_SCHEDULE})`,
    period !== undefined &&
      settingTicks?.length >= 3 &&
      steady(settingTicks, 2).every((r) => onTick(r.firedAt, period)) &&
      duplicateTicks(settingTicks, period) === 0,
    JSON.stringify(settingTicks?.map((r) => r.firedAt)),
  );

  // Due only on 1 January: a firing now is the one at start.
  const nextNewYear = `${new Date().getUTCFullYear() + 1}-01-01T00:00:00`;
  const onStartup = await get('records/lhOnStartup');
  const startStatus = onStartup[0]?.timer?.scheduleStatus;
  check(
    'runOnStartup fires at start; with useMonitor the timer gets its schedule status (next: 1 January)',
    onStartup.length >= 1 &&
      onStartup[0].timer.isPastDue === false &&
      ['last', 'next', 'lastUpdated'].every((k) => typeof startStatus?.[k] === 'string') &&
      startStatus.next.startsWith(nextNewYear),
    JSON.stringify(onStartup),
  );
  const statusBlobs = await get('host-blobs?prefix=timers/');
  const statusName = Object.keys(statusBlobs).find((n) =>
    /^timers\/[^/]+\/Host\.Functions\.lhOnStartup\/status$/.test(n),
  );
  const stored = statusName ? JSON.parse(statusBlobs[statusName]) : undefined;
  check(
    'the schedule status is kept where the host keeps it (azure-webjobs-hosts/timers/<host id>/Host.Functions.lhOnStartup/status)',
    ['Last', 'Next', 'LastUpdated'].every((k) => typeof stored?.[k] === 'string') &&
      stored.Next.startsWith(nextNewYear),
    JSON.stringify(statusBlobs),
  );
  const hostId = statusName?.split('/')[1];
  const locks = await get('host-blobs?prefix=locks/');
  check(
    'each timer listener holds the host’s singleton lock blob (locks/<host id>/Host.Functions.lhTick.Listener)',
    hostId !== undefined && `locks/${hostId}/Host.Functions.lhTick.Listener` in locks,
    JSON.stringify(Object.keys(locks)),
  );

  // ---- queues ----
  const mine = (records) =>
    records.filter((r) => JSON.stringify(r.message).includes(run) || r.message === text);
  const queued = await waitFor(
    async () => mine(await get('records/lhQueue')),
    (r) => r.filter((x) => x.message?.kind === 'throw').length >= 5 && r.length >= 7,
    150000,
  );
  const byKind = (kind) => (queued ?? []).filter((r) => r.message?.kind === kind);
  const ok = byKind('start')[0];
  const meta = ok?.triggerMetadata ?? {};
  check(
    'a queue function gets the message (a JSON object, parsed)',
    JSON.stringify(ok?.message) === JSON.stringify(started),
    JSON.stringify(ok?.message),
  );
  check(
    'with the host’s trigger metadata (id, dequeueCount, times, popReceipt, queueTrigger)',
    typeof meta.id === 'string' &&
      meta.dequeueCount === 1 &&
      [meta.insertionTime, meta.expirationTime, meta.nextVisibleTime].every((t) =>
        OFFSET_DATE.test(t),
      ) &&
      typeof meta.popReceipt === 'string' &&
      JSON.stringify(meta.queueTrigger) === JSON.stringify(started),
    JSON.stringify(meta),
  );
  // Utility.ApplyBindingData: the message's top-level properties, arrays and nulls left out,
  // scalars as .NET strings (which the worker parses again where it can).
  check(
    'and the message’s own properties, as the host adds them',
    meta.kind === 'start' &&
      meta.n === 5 &&
      meta.flag === 'True' &&
      meta.when === '01/01/2026 00:00:05' &&
      JSON.stringify(meta.nested) === JSON.stringify({ x: 1 }) &&
      !('list' in meta),
    JSON.stringify(meta),
  );
  const okStarted = await waitFor(
    () => status(ok?.instanceId),
    (s) => s?.runtimeStatus === 'Completed',
    20000,
  );
  check(
    'a queue function’s durable client input works (task hub; the orchestration it started completed)',
    ok?.taskHubName === hub &&
      JSON.stringify(okStarted?.output) === JSON.stringify({ source: 'lhQueue' }),
    JSON.stringify({ taskHubName: ok?.taskHubName, status: okStarted }),
  );
  const plain = (queued ?? []).find((r) => r.message === text);
  check(
    'a text message arrives as the string',
    plain?.triggerMetadata?.queueTrigger === text,
    JSON.stringify(plain),
  );
  const tries = byKind('throw')
    .map((r) => r.triggerMetadata?.dequeueCount)
    .sort();
  const poison = await waitFor(
    () => get('queue/lh-queue-poison'),
    (m) => m.includes(JSON.stringify(thrown)),
    30000,
  );
  check(
    'a throwing handler fails the invocation: tried maxDequeueCount (5) times, then in lh-queue-poison',
    JSON.stringify(tries) === JSON.stringify([1, 2, 3, 4, 5]) &&
      poison?.includes(JSON.stringify(thrown)),
    JSON.stringify({ tries, poison }),
  );
  const settingQueue = await waitFor(
    async () => mine(await get('records/lhSettingQueue')),
    (r) => r.length >= 1,
    90000,
  );
  check(
    `a %LH_QUEUE_NAME% queue name resolves from the app setting (${settings.LH_QUEUE_NAME})`,
    JSON.stringify(settingQueue?.[0]?.message) === JSON.stringify(viaSetting),
    JSON.stringify(settingQueue),
  );
}
