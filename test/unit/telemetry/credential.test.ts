import { ManagedIdentityCredential } from '@azure/identity';
import { entraCredential } from '../../../src/telemetry/setup';

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
