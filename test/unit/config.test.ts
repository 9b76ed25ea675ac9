import { ConfigError, loadConfig } from '../../src/config';

const storage = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(storage)).toEqual({
      maxInputBytes: 262_144,
      lockContainer: 'singleton-locks',
      lockWaitMs: 10_000,
      lockLeaseSeconds: 15,
      backendTimeoutMs: 5_000,
      restartTimeoutMs: 30_000,
      idempotencyTtlSeconds: 86_400,
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      engineRefusesRunningDuplicates: true,
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      ...storage,
      SINGLETON_MAX_INPUT_BYTES: '1024',
      SINGLETON_LOCK_CONTAINER: 'my-locks',
      SINGLETON_LOCK_WAIT_MS: '2500',
      SINGLETON_LOCK_LEASE_SECONDS: '60',
      SINGLETON_BACKEND_TIMEOUT_MS: '1500',
      SINGLETON_RESTART_TIMEOUT_MS: '0',
      SINGLETON_IDEMPOTENCY_TTL_SECONDS: '1',
    });
    expect(config).toMatchObject({
      maxInputBytes: 1024,
      lockContainer: 'my-locks',
      lockWaitMs: 2500,
      lockLeaseSeconds: 60,
      backendTimeoutMs: 1500,
      restartTimeoutMs: 0,
      idempotencyTtlSeconds: 1,
    });
  });

  it.each<[string, string, RegExp]>([
    ['SINGLETON_MAX_INPUT_BYTES', 'lots', /SINGLETON_MAX_INPUT_BYTES must be an integer/],
    ['SINGLETON_MAX_INPUT_BYTES', '-1', /from 0 to/],
    ['SINGLETON_LOCK_LEASE_SECONDS', '10', /from 15 to 60/],
    ['SINGLETON_LOCK_LEASE_SECONDS', '61', /from 15 to 60/],
    ['SINGLETON_LOCK_WAIT_MS', '1.5', /integer/],
    ['SINGLETON_IDEMPOTENCY_TTL_SECONDS', '0', /from 1 to 2592000/],
    ['SINGLETON_IDEMPOTENCY_TTL_SECONDS', '2592001', /from 1 to 2592000/],
    [
      'SINGLETON_IDEMPOTENCY_TTL_SECONDS',
      'a day',
      /SINGLETON_IDEMPOTENCY_TTL_SECONDS must be an integer/,
    ],
    ['SINGLETON_LOCK_CONTAINER', 'Bad_Name', /valid blob container name/],
    ['SINGLETON_LOCK_CONTAINER', 'ab', /valid blob container name/],
  ])('rejects %s=%p naming the setting', (name, value, message) => {
    expect(() => loadConfig({ ...storage, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...storage, [name]: value })).toThrow(message);
  });

  it('requires a storage connection', () => {
    expect(() => loadConfig({})).toThrow(/No storage connection: set AzureWebJobsStorage/);
  });
});
