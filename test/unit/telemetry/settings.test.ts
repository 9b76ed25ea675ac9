import { ManagedIdentityCredential } from '@azure/identity';
import { entraCredential } from '../../../src/telemetry/setup';
import { loadTelemetrySettings } from '../../../src/telemetry/settings';
import { createStarter } from '../../../src/starter';

describe('SINGLETON_TELEMETRY_RECORD_INSTANCE_ID', () => {
  it('defaults to recording the instance ID', () => {
    expect(loadTelemetrySettings({})).toEqual({ recordInstanceId: true });
  });

  it.each([
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['true', true],
    [' 1 ', true],
  ])('reads %p as %p', (value, expected) => {
    expect(
      loadTelemetrySettings({ SINGLETON_TELEMETRY_RECORD_INSTANCE_ID: value }).recordInstanceId,
    ).toBe(expected);
  });

  it('keeps a bad value as a misconfiguration naming the setting', async () => {
    const starter = createStarter(
      {
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        SINGLETON_TELEMETRY_RECORD_INSTANCE_ID: 'maybe',
      },
      undefined,
    );
    expect(starter.config).toBeUndefined();
    const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn() };
    expect(await starter.start({ orchestrator: 'x', instanceId: 'a' }, {} as never, log)).toEqual({
      kind: 'misconfigured',
      detail: expect.stringContaining('SINGLETON_TELEMETRY_RECORD_INSTANCE_ID') as unknown,
    });
  });
});

describe('the Application Insights credential (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)', () => {
  it('is the user-assigned managed identity the Bicep names', () => {
    const credential = entraCredential({
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
        'ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD',
    });
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('is the system-assigned identity without a client ID', () => {
    expect(
      entraCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' }),
    ).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('is none (instrumentation key) without the setting or without AAD', () => {
    expect(entraCredential({})).toBeUndefined();
    expect(
      entraCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=x' }),
    ).toBeUndefined();
  });
});
