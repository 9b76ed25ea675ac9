/**
 * Shared setup for the starter's integration tests: the real function registration, a loopback
 * extension stand-in, and the lock on the test run's Azurite.
 */
import '../../src/functions/httpStartSingle';
import '../../tools/sample-starter/sampleHttpStartSingle';
import { exposeForSingletonStart } from '../../src/singleton/catalog';
import { resetServices } from '../../src/services';
import { azuriteConnectionString } from '../support/azurite';
import { durableClientBinding } from '../support/durableClientBinding';
import { FakeExtension } from '../support/fakeExtension';
import { invokeHttp, type HttpResult } from '../support/invokeHttp';

export const FIXTURES = {
  always: 'nightlyJob',
  failedOnly: 'retryableJob',
  never: 'oneShotJob',
} as const;
/** Known to the engine, but not exposed for singleton start. */
export const HIDDEN = 'internalOrchestrator';

// Test orchestrators, one per reuse policy, declared as an app declares its jobs.
exposeForSingletonStart(FIXTURES.always);
exposeForSingletonStart(FIXTURES.failedOnly, { reuse: 'failedOnly' });
exposeForSingletonStart(FIXTURES.never, { reuse: 'never' });

export function useSettings(settings: Record<string, string | undefined>): void {
  const all: Record<string, string | undefined> = {
    AzureWebJobsStorage: azuriteConnectionString(),
    SINGLETON_LOCK_CONTAINER: undefined,
    SINGLETON_MAX_INPUT_BYTES: undefined,
    SINGLETON_LOCK_WAIT_MS: undefined,
    SINGLETON_BACKEND_TIMEOUT_MS: undefined,
    SINGLETON_RESTART_TIMEOUT_MS: undefined,
    AzureFunctionsJobHost__extensions__durableTask__overridableExistingInstanceStates: undefined,
    ...settings,
  };
  for (const [k, v] of Object.entries(all)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetServices();
}

/**
 * One extension stand-in per test file; every test starts with the default settings and a healthy
 * stand-in. Returns an accessor, since the stand-in exists only once `beforeAll` has run.
 */
export function useFakeExtension(): () => FakeExtension {
  let fake: FakeExtension | undefined;
  beforeAll(async () => {
    fake = new FakeExtension([...Object.values(FIXTURES), HIDDEN]);
    await fake.start();
  });
  afterAll(() => fake?.stop());
  beforeEach(() => {
    useSettings({});
    fake?.reset();
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
  return invokeHttp(sample ? 'sampleHttpStartSingle' : 'httpStartSingle', {
    url: `http://localhost:7071/api/${path}${options.query ? `?${options.query}` : ''}`,
    params: { functionName, instanceId },
    body: options.body,
    headers: options.headers,
    clientJson: durableClientBinding(options.rpcBaseUrl),
  });
}
