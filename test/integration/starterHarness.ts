/**
 * Shared setup for the starter's integration tests: the real handler behind a test registration
 * (so each test can give it its own settings), a loopback extension stand-in, and the lock on the
 * test run's Azurite.
 */
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { readHostJson } from '../../src/durable/hostSettings';
import type { Env } from '../../src/env';
import { httpStartSingle } from '../../src/functions/httpStartSingle';
import { operatorRoute } from '../../src/functions/operatorRoutes';
import { signalInstance } from '../../src/functions/signalInstance';
import { exposeForSingletonStart } from '../../src/singleton/catalog';
import { createStarter, type AppStarter } from '../../src/starter';
import '../../tools/sample-starter/sampleHttpStartSingle';
import { azuriteConnectionString } from '../support/azurite';
import { durableClientBinding } from '../support/durableClientBinding';
import { FakeExtension } from '../support/fakeExtension';
import { invokeHttp, type HttpResult } from '../support/invokeHttp';
import { setLogSink } from '../../tools/functions-core';

export const FIXTURES = {
  always: 'nightlyJob',
  failedOnly: 'retryableJob',
  never: 'oneShotJob',
  /** Reuse `always` and may replace other orchestrators' ended instances: the engine checks alone. */
  anyOwner: 'migratingJob',
} as const;
/** Known to the engine, but not exposed for singleton start. */
export const HIDDEN = 'internalOrchestrator';

// Test orchestrators, one per reuse policy, declared as an app declares its jobs.
exposeForSingletonStart(FIXTURES.always);
exposeForSingletonStart(FIXTURES.failedOnly, { reuse: 'failedOnly' });
exposeForSingletonStart(FIXTURES.never, { reuse: 'never' });
exposeForSingletonStart(FIXTURES.anyOwner, { replacesOtherOrchestrators: true });
/** Takes signals: `poke` (any data) and `resize` ({ size } from 1 to 10). */
export const SIGNALLED = 'signalledJob';
exposeForSingletonStart(SIGNALLED, {
  reuse: 'failedOnly',
  events: {
    poke: {},
    resize: {
      data: (raw) => {
        const size = (raw as { size?: unknown } | null)?.size;
        return typeof size === 'number' && size >= 1 && size <= 10
          ? { ok: true }
          : { ok: false, problems: ['size must be an integer from 1 to 10'] };
      },
    },
  },
});

/** A job whose runs acknowledge the signals they read (src/jobs/signalInbox.ts). */
export const ACKNOWLEDGING = 'acknowledgingJob';
exposeForSingletonStart(ACKNOWLEDGING, { acknowledgesSignals: true, events: { go: {} } });

/** The name the handler under test is registered under, beside the app's own registration. */
export const UNDER_TEST = 'httpStartSingleUnderTest';
let starter: AppStarter | undefined;
app.http(UNDER_TEST, {
  route: 'test/orchestrators/{functionName}/{instanceId}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: httpStartSingle(() => starter!),
});

// The operator's routes over the same starter, as the app registers them beside its start route.
const OPERATOR_ROUTES = [
  ['status', 'GET', 'test/orchestrators/{functionName}/{instanceId}'],
  ['purge', 'DELETE', 'test/orchestrators/{functionName}/{instanceId}'],
  ['terminate', 'POST', 'test/orchestrators/{functionName}/{instanceId}/terminate'],
  ['list', 'GET', 'test/orchestrators/{functionName}'],
  ['terminateMany', 'POST', 'test/bulk/orchestrators/{functionName}/terminate'],
  ['purgeMany', 'POST', 'test/bulk/orchestrators/{functionName}/purge'],
] as const;
for (const [operation, method, route] of OPERATOR_ROUTES) {
  app.http(`${operation}UnderTest`, {
    route,
    methods: [method],
    authLevel: 'function',
    extraInputs: [df.input.durableClient()],
    handler: operatorRoute(operation, () => starter!),
  });
}

app.http('signalUnderTest', {
  route: 'test/orchestrators/{functionName}/{instanceId}/events/{eventName}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: signalInstance(() => starter!),
});

/** POSTs a signal: `eventName` with `body` as its data, and optional headers. */
export function signal(
  functionName: string,
  instanceId: string,
  eventName: string,
  options: PostOptions,
): Promise<HttpResult> {
  const path = `orchestrators/${encodeURIComponent(functionName)}/${encodeURIComponent(instanceId)}/events/${encodeURIComponent(eventName)}`;
  return invokeHttp('signalUnderTest', {
    url: `http://localhost:7071/api/${path}`,
    params: { functionName, instanceId, eventName },
    body: options.body,
    headers: options.headers,
    clientJson: durableClientBinding(options.rpcBaseUrl),
  });
}

/** Calls an operator route: `operation` on `functionName` (and `instanceId`), with `query`. */
export function operate(
  operation: (typeof OPERATOR_ROUTES)[number][0],
  functionName: string,
  instanceId: string | undefined,
  options: { rpcBaseUrl: string; query?: string },
): Promise<HttpResult> {
  const [, method, route] = OPERATOR_ROUTES.find(([name]) => name === operation)!;
  const path = route
    .replace('test/', '')
    .replace('{functionName}', encodeURIComponent(functionName))
    .replace('{instanceId}', encodeURIComponent(instanceId ?? ''));
  return invokeHttp(`${operation}UnderTest`, {
    method,
    url: `http://localhost:7071/api/${path}${options.query ? `?${options.query}` : ''}`,
    params: { functionName, ...(instanceId !== undefined && { instanceId }) },
    clientJson: durableClientBinding(options.rpcBaseUrl),
  });
}

/** The app settings of the next requests: the defaults, the test run's Azurite, and `settings`. */
export function useSettings(settings: Env): void {
  starter = createStarter(
    { AzureWebJobsStorage: azuriteConnectionString(), ...settings },
    readHostJson(),
  );
}

/** The log lines the functions wrote since the current test began (`level: message`). */
export const logged: string[] = [];

/**
 * One extension stand-in per test file; every test starts with the default settings and a healthy
 * stand-in. Returns an accessor, since the stand-in exists only once `beforeAll` has run.
 */
export function useFakeExtension(): () => FakeExtension {
  let fake: FakeExtension | undefined;
  beforeAll(async () => {
    fake = new FakeExtension([...Object.values(FIXTURES), HIDDEN, SIGNALLED, ACKNOWLEDGING]);
    await fake.start();
  });
  afterAll(() => fake?.stop());
  beforeEach(() => {
    useSettings({});
    fake?.reset();
    logged.length = 0;
    setLogSink((level, _category, message) => logged.push(`${level}: ${message}`));
  });
  return () => fake!;
}

export interface PostOptions {
  body?: string;
  query?: string;
  headers?: Record<string, string>;
  /** Which starter: ours, or the sample's check-then-start. */
  starter?: 'ours' | 'sample';
  rpcBaseUrl: string;
}

let counter = 0;
export function freshId(prefix = 'id'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}`;
}

export function post(
  functionName: string,
  instanceId: string,
  options: PostOptions,
): Promise<HttpResult> {
  const sample = options.starter === 'sample';
  const path = `${sample ? 'sample/' : ''}orchestrators/${encodeURIComponent(functionName)}/${encodeURIComponent(instanceId)}`;
  return invokeHttp(sample ? 'sampleHttpStartSingle' : UNDER_TEST, {
    url: `http://localhost:7071/api/${path}${options.query ? `?${options.query}` : ''}`,
    params: { functionName, instanceId },
    body: options.body,
    headers: options.headers,
    clientJson: durableClientBinding(options.rpcBaseUrl),
  });
}
