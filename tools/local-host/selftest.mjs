#!/usr/bin/env node
/**
 * Self-test of the local host itself (not the app), against the throwaway fixture functions:
 *   LH_TIMER_SCHEDULE='*\/6 * * * * *' LH_QUEUE_NAME=lh-setting-queue \
 *   LOCAL_HOST_EXTRA_FUNCTIONS=dist/tools/local-host/fixtures/selftest.js:dist/tools/local-host/fixtures/triggers.js \
 *   npm run host:local
 *   node tools/local-host/selftest.mjs [--json FILE] [--triggers-only]
 *       (E2E_BASE_URL, default http://localhost:7071; --json writes jest-style pass/fail counts;
 *        --triggers-only runs the timer and queue checks alone)
 * Checks fan-out activities + timer + custom status, continue-as-new + external event, that a JS
 * orchestrator failure reaches the engine as Failed with the JS message, that date-like strings pass
 * byte for byte, how activity inputs and failures reach JS (as under the Functions host), and that
 * an `AzureFunctionsJobHost__extensions__durableTask__hubName` override reaches the engine; then
 * timers and storage queues (selftest-triggers.mjs, against fixtures/triggers.ts).
 */
import { checkTriggers, sendTriggerMessages } from './selftest-triggers.mjs';

const base = (process.env.E2E_BASE_URL ?? 'http://localhost:7071').replace(/\/+$/, '');
const run = Date.now().toString(36);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
let passes = 0;

function check(name, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  if (ok) passes++;
  else failures++;
}

async function start(name, id, input) {
  const res = await fetch(`${base}/api/lh/start/${name}/${id}`, {
    method: 'POST',
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  return { status: res.status, links: await res.json() };
}

async function waitFor(url, done, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await (await fetch(url)).json().catch(() => undefined);
    if (last && done(last)) return last;
    await sleep(300);
  }
  return last;
}

const triggerMessages = await sendTriggerMessages({ base, run });

/** The fixture's orchestrations, bindings, routes and configuration; answers the task hub in use. */
async function checkDurable() {
  const fin = await start('lhFinite', `lh-fin-${run}`, { items: 5 });
  check('lhFinite start → 202', fin.status === 202, fin.status);
  const finDone = await waitFor(
    fin.links.statusQueryGetUri,
    (s) => s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending',
  );
  check(
    'lhFinite → Completed, 5 activity results, custom status',
    finDone?.runtimeStatus === 'Completed' &&
      finDone.output?.count === 5 &&
      finDone.customStatus?.done === 5,
    JSON.stringify(finDone),
  );
  check(
    'a string activity input arrives as the plain string',
    finDone?.output?.text?.echo === 'Tokyo',
    JSON.stringify(finDone?.output?.text),
  );

  const et = await start('lhEternal', `lh-et-${run}`, { intervalSeconds: 2 });
  check('lhEternal start → 202', et.status === 202, et.status);
  const advanced = await waitFor(
    et.links.statusQueryGetUri,
    (s) => (s.customStatus?.cycle ?? 0) >= 2,
  );
  check(
    'lhEternal advances across continue-as-new',
    (advanced?.customStatus?.cycle ?? 0) >= 2,
    JSON.stringify(advanced),
  );
  const raised = await fetch(et.links.sendEventPostUri.replace('{eventName}', 'stop'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  check('raise stop → 202', raised.status === 202, raised.status);
  const stopped = await waitFor(et.links.statusQueryGetUri, (s) => s.runtimeStatus === 'Completed');
  check(
    'lhEternal → Completed on stop',
    stopped?.output?.stoppedAtCycle !== undefined,
    JSON.stringify(stopped),
  );

  const fail = await start('lhFail', `lh-fail-${run}`);
  const failed = await waitFor(fail.links.statusQueryGetUri, (s) => s.runtimeStatus === 'Failed');
  check(
    'lhFail → Failed with the JS message',
    typeof failed?.output === 'string' &&
      failed.output.includes('lhFail failed on purpose') &&
      !failed.output.includes('Result: Failure'),
    JSON.stringify(failed),
  );

  const done = (s) => s && !['Running', 'Pending', 'ContinuedAsNew'].includes(s.runtimeStatus);

  // Json.NET's default date parsing would give `.1Z`, `Z` and a UTC time for these.
  const stamps = [
    '2026-01-01T00:00:05.100Z',
    '2026-01-01T00:00:05.000Z',
    '2026-01-01T02:00:00+02:00',
  ];
  const dates = await start('lhDates', `lh-dates-${run}`, { stamps });
  const datesDone = await waitFor(dates.links.statusQueryGetUri, done);
  check(
    'date-like strings pass byte for byte (activity input/result, continue-as-new, output, custom status)',
    JSON.stringify(datesDone?.output) === JSON.stringify({ stamps, echoed: { echo: stamps } }) &&
      JSON.stringify(datesDone?.customStatus) === JSON.stringify({ stamps }),
    JSON.stringify(datesDone),
  );

  const inputs = await start('lhInputs', `lh-inputs-${run}`);
  const inputsDone = await waitFor(inputs.links.statusQueryGetUri, done);
  const expectedShapes = [
    { type: 'string', value: 'True' },
    { type: 'undefined', value: null },
    { type: 'number', value: 5 },
    { type: 'string', value: 'text' },
    { type: 'object', value: { a: 1 } },
  ];
  check(
    'activity inputs bound as the host binds them (true → "True", null → undefined)',
    JSON.stringify(inputsDone?.output) === JSON.stringify(expectedShapes),
    JSON.stringify(inputsDone?.output),
  );

  const actFail = await start('lhActivityFailure', `lh-actfail-${run}`);
  const actFailDone = await waitFor(actFail.links.statusQueryGetUri, done);
  // The extension reads the host's `Result: Failure\nException: <message>\nStack: …` text and
  // keeps what follows `Exception:` (with its leading space) as the failure reason.
  check(
    'an activity failure reaches the orchestrator in the host format',
    typeof actFailDone?.output === 'string' &&
      actFailDone.output.startsWith("Activity function 'lhThrow' failed:  thrown on purpose"),
    JSON.stringify(actFailDone?.output),
  );

  const waitRoute = await fetch(`${base}/api/orchestrators/wait/x`, { method: 'POST' });
  check(
    'route order: httpLhWait (sorts before httpStartSingle) answers orchestrators/wait/x',
    waitRoute.status === 200 && (await waitRoute.json()).by === 'httpLhWait',
    waitRoute.status,
  );
  const shadowed = await fetch(`${base}/api/orchestrators/shadow/x`, { method: 'POST' });
  check(
    'route order: httpStartSingle (sorts before zzLhShadowed) answers orchestrators/shadow/x',
    shadowed.status === 404 &&
      (await shadowed.json()).type === 'urn:durable-singleton:problem:orchestrator-not-found',
    shadowed.status,
  );
  const optional = await (await fetch(`${base}/api/lh/optional`)).json();
  check(
    "a missing optional route parameter is ''",
    JSON.stringify(optional.params) === JSON.stringify({ value: '' }),
    JSON.stringify(optional),
  );

  const hub = process.env.AzureFunctionsJobHost__extensions__durableTask__hubName;
  if (hub) {
    check(
      'the AzureFunctionsJobHost__… hub override reaches the engine',
      new URL(fin.links.statusQueryGetUri).searchParams.get('taskHub') === hub,
      fin.links.statusQueryGetUri,
    );
  }
  return new URL(fin.links.statusQueryGetUri).searchParams.get('taskHub');
}

// --triggers-only: the timer and queue checks alone (CI runs them again against several instances).
const triggersOnly = process.argv.includes('--triggers-only');
const taskHub = triggersOnly
  ? new URL((await start('lhTriggered', `lh-hub-${run}`)).links.statusQueryGetUri).searchParams.get(
      'taskHub',
    )
  : await checkDurable();

await checkTriggers({ base, check, run, hub: taskHub }, triggerMessages);

const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0) {
  const { writeFileSync } = await import('node:fs');
  const counts = { numPassedTests: passes, numFailedTests: failures };
  writeFileSync(process.argv[jsonAt + 1], JSON.stringify(counts) + '\n');
}
console.log(`${failures === 0 ? 'self-test passed' : `${failures} check(s) failed`}`);
process.exit(failures === 0 ? 0 : 1);
