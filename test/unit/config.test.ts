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
      signalReceiptWaitMs: 10_000,
      schedulePollMs: 10_000,
      idempotencyTtlSeconds: 86_400,
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      engineRefusesRunningDuplicates: true,
      linkOrigin: undefined,
      links: 'extension',
      statusShowsInput: false,
    });
  });

  it('reads the links and the status input settings, case-insensitively', () => {
    const config = loadConfig({
      ...storage,
      SINGLETON_LINKS: ' App ',
      SINGLETON_STATUS_SHOW_INPUT: 'TRUE',
    });
    expect(config).toMatchObject({ links: 'app', statusShowsInput: true });
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
    ['SINGLETON_LINKS', 'webhook', /SINGLETON_LINKS must be one of extension, app\.$/],
    [
      'SINGLETON_STATUS_SHOW_INPUT',
      'yes',
      /SINGLETON_STATUS_SHOW_INPUT must be one of false, true/,
    ],
    ['SINGLETON_LOCK_CONTAINER', 'Bad_Name', /valid blob container name/],
    ['SINGLETON_LOCK_CONTAINER', 'ab', /valid blob container name/],
    ['SINGLETON_LINK_ORIGIN', 'jobs.contoso.com', /SINGLETON_LINK_ORIGIN must be an http or https/],
    ['SINGLETON_LINK_ORIGIN', 'ftp://jobs.contoso.com', /SINGLETON_LINK_ORIGIN/],
    ['SINGLETON_LINK_ORIGIN', 'https://jobs.contoso.com/api', /without a path/],
    ['SINGLETON_LINK_ORIGIN', 'https://user:secret@jobs.contoso.com', /SINGLETON_LINK_ORIGIN/],
    ['SINGLETON_LINK_ORIGIN', 'https://jobs.contoso.com/?code=k', /SINGLETON_LINK_ORIGIN/],
  ])('rejects %s=%p naming the setting, never echoing its value', (name, value, message) => {
    expect(() => loadConfig({ ...storage, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...storage, [name]: value })).toThrow(message);
    let thrown: Error | undefined;
    try {
      loadConfig({ ...storage, [name]: value });
    } catch (error) {
      thrown = error as Error;
    }
    // A value may be a secret (a connection string pasted into the wrong setting). Short values
    // such as '0' occur in the rule itself ("from 0 to …").
    expect(thrown?.message).not.toContain(`'${value}'`);
    if (value.length > 3) expect(thrown?.message).not.toContain(value);
  });

  it('never echoes a bad storage setting either', () => {
    const secret = 'not a url, AccountKey=c2VjcmV0';
    expect(() => loadConfig({ AzureWebJobsStorage__blobServiceUri: secret })).toThrow(
      /AzureWebJobsStorage__blobServiceUri is not a URL\.$/,
    );
  });

  describe("the check-status links' origin", () => {
    it.each<[Record<string, string>, string | undefined]>([
      [{ SINGLETON_LINK_ORIGIN: 'https://jobs.contoso.com/' }, 'https://jobs.contoso.com'],
      [
        { SINGLETON_LINK_ORIGIN: ' https://jobs.contoso.com:8443 ' },
        'https://jobs.contoso.com:8443',
      ],
      // Configured wins over the platform's host name.
      [
        {
          SINGLETON_LINK_ORIGIN: 'https://jobs.contoso.com',
          WEBSITE_HOSTNAME: 'app.azurewebsites.net',
        },
        'https://jobs.contoso.com',
      ],
      // Azure sets the app's default host name; links then use https.
      [{ WEBSITE_HOSTNAME: 'app.azurewebsites.net' }, 'https://app.azurewebsites.net'],
      // Core Tools sets localhost:7071: plain http.
      [{ WEBSITE_HOSTNAME: 'localhost:7071' }, 'http://localhost:7071'],
      [{ WEBSITE_HOSTNAME: '127.0.0.1:7071' }, 'http://127.0.0.1:7071'],
      // Unset, or 0.0.0.0 (which durable-functions treats as unset): the request's, locally.
      [{}, undefined],
      [{ WEBSITE_HOSTNAME: '0.0.0.0:7071' }, undefined],
    ])('%j → %s', (settings, origin) => {
      expect(loadConfig({ ...storage, ...settings }).linkOrigin).toBe(origin);
    });
  });

  it('requires a storage connection', () => {
    expect(() => loadConfig({})).toThrow(/No storage connection: set AzureWebJobsStorage/);
  });
});
