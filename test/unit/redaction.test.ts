import { loadRedaction, redactInstanceIds, redactOutgoingUrl } from '../../src/redaction';
import { createStarter } from '../../src/starter';
import { redactUrlAttributes } from '../../src/telemetry/outgoingHttp';

describe('SINGLETON_REDACT_INSTANCE_IDS', () => {
  it('defaults to keeping instance IDs', () => {
    expect(loadRedaction({}).instanceIds).toBe(false);
  });

  it.each([
    [{ SINGLETON_REDACT_INSTANCE_IDS: 'true' }, true],
    [{ SINGLETON_REDACT_INSTANCE_IDS: ' TRUE ' }, true],
    [{ SINGLETON_REDACT_INSTANCE_IDS: '1' }, true],
    [{ SINGLETON_REDACT_INSTANCE_IDS: 'false' }, false],
    [{ SINGLETON_REDACT_INSTANCE_IDS: '0' }, false],
    // The earlier, telemetry-only setting: false there now redacts everywhere.
    [{ SINGLETON_TELEMETRY_RECORD_INSTANCE_ID: 'false' }, true],
    [{ SINGLETON_TELEMETRY_RECORD_INSTANCE_ID: 'true' }, false],
    [
      { SINGLETON_REDACT_INSTANCE_IDS: 'false', SINGLETON_TELEMETRY_RECORD_INSTANCE_ID: 'false' },
      false,
    ],
  ])('reads %p as %p', (env, expected) => {
    expect(loadRedaction(env).instanceIds).toBe(expected);
  });

  it('keeps a bad value as a misconfiguration naming the setting, not the value', async () => {
    const starter = createStarter(
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true', SINGLETON_REDACT_INSTANCE_IDS: 'maybe' },
      undefined,
    );
    expect(starter.config).toBeUndefined();
    expect(starter.redaction.instanceIds).toBe(true);
    const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn() };
    const result = await starter.start({ orchestrator: 'x', instanceId: 'a' }, {} as never, log);
    expect(result).toEqual({
      kind: 'misconfigured',
      detail: 'App setting SINGLETON_REDACT_INSTANCE_IDS must be true or false.',
    });
  });
});

describe('redacted text', () => {
  const scrub = redactInstanceIds.text;

  it.each([
    [
      'quoted',
      "Start of 'job' as 'tenant-42': found Running",
      "Start of 'job' as '[redacted]': found Running",
    ],
    ['JSON-escaped', '{"InstanceId":"a\\"b c"}', '{"InstanceId":"[redacted]"}', 'a"b c'],
    [
      'percent-encoded',
      'GET /instances/caf%C3%A9%20x failed',
      'GET /instances/[redacted] failed',
      'café x',
    ],
    [
      'in a URL path, WHATWG-encoded',
      'at http://h/instances/a%20b:c',
      'at http://h/instances/[redacted]',
      'a b:c',
    ],
    ['several times', 'x-1 and x-1.', '[redacted] and [redacted].', 'x-1'],
  ])('replaces the ID %s', (_how, text, expected, id = 'tenant-42') => {
    expect(scrub(text, id)).toBe(expected);
  });

  it('leaves words that merely contain a short ID', () => {
    expect(scrub("Start of 'job' as 'a': found a Running instance", 'a')).toBe(
      "Start of 'job' as '[redacted]': found [redacted] Running instance",
    );
    expect(scrub('tenant-420 and xtenant-42', 'tenant-42')).toBe('tenant-420 and xtenant-42');
  });

  it('prefers the longest spelling, so that a percent-encoded ID is taken out whole', () => {
    expect(scrub('/instances/a%20b and a b', 'a b')).toBe('/instances/[redacted] and [redacted]');
  });

  it('leaves text alone for an empty ID, and keeps IDs without the setting', () => {
    expect(scrub('nothing to see', '')).toBe('nothing to see');
    expect(loadRedaction({ SINGLETON_REDACT_INSTANCE_IDS: '' }).instanceIds).toBe(false);
  });

  it('treats an ID as text, never as a pattern', () => {
    expect(scrub('a.b and axb', 'a.b')).toBe('[redacted] and axb');
  });

  it('writes every log line through it', () => {
    const lines: string[] = [];
    const log = redactInstanceIds.log(
      { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m) },
      'secret-7',
    );
    log.debug('d secret-7');
    log.info('i secret-7');
    log.warn('w secret-7');
    expect(lines).toEqual(['d [redacted]', 'i [redacted]', 'w [redacted]']);
  });
});

describe('the URLs of outgoing HTTP spans', () => {
  it.each([
    [
      'http://127.0.0.1:17071/durabletask/instances/tenant%2042?showInput=false',
      'http://127.0.0.1:17071/durabletask/instances/{instanceId}',
    ],
    [
      'http://127.0.0.1:17071/durabletask/orchestrators/periodicSync/abc',
      'http://127.0.0.1:17071/durabletask/orchestrators/periodicSync/{instanceId}',
    ],
    [
      'https://app.azurewebsites.net/runtime/webhooks/durabletask/instances/x/terminate?reason=r&code=KEY',
      'https://app.azurewebsites.net/runtime/webhooks/durabletask/instances/{instanceId}/terminate',
    ],
    ['/durabletask/instances/?instanceIdPrefix=tenant', '/durabletask/instances/'],
    [
      'http://127.0.0.1:17071/durabletask/orchestrators/periodicSync',
      'http://127.0.0.1:17071/durabletask/orchestrators/periodicSync',
    ],
    [
      'https://acct.blob.core.windows.net/locks/hub/ab12?comp=lease',
      'https://acct.blob.core.windows.net/locks/hub/ab12?comp=lease',
    ],
  ])('%s → %s', (url, expected) => {
    expect(redactOutgoingUrl(url)).toBe(expected);
  });

  it('rewrites the span attributes that hold the URL, before any answer', () => {
    const attributes: Record<string, unknown> = {
      'http.url': 'http://127.0.0.1:1/durabletask/instances/p-1?showInput=false',
      'http.target': '/durabletask/instances/p-1?showInput=false',
      'url.query': 'showInput=false',
      'http.method': 'GET',
    };
    const span = { attributes, setAttribute: (k: string, v: unknown) => (attributes[k] = v) };
    redactUrlAttributes(span as never);
    expect(attributes).toEqual({
      'http.url': 'http://127.0.0.1:1/durabletask/instances/{instanceId}',
      'http.target': '/durabletask/instances/{instanceId}',
      'url.query': '',
      'http.method': 'GET',
    });
  });
});
