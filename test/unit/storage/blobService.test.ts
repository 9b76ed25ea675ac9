import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { createBlobServiceClient } from '../../../src/storage/blobService';

// The real credentials, with their constructor arguments recorded.
jest.mock('@azure/identity', () => {
  const actual = jest.requireActual<typeof import('@azure/identity')>('@azure/identity');
  return {
    ...actual,
    ManagedIdentityCredential: jest.fn(
      (...args: unknown[]) =>
        new (actual.ManagedIdentityCredential as new (...a: unknown[]) => object)(...args),
    ),
    DefaultAzureCredential: jest.fn(
      (...args: unknown[]) =>
        new (actual.DefaultAzureCredential as new (...a: unknown[]) => object)(...args),
    ),
  };
});
const actual = jest.requireActual<typeof import('@azure/identity')>('@azure/identity');

beforeEach(() => jest.clearAllMocks());

describe('createBlobServiceClient', () => {
  it('uses the account key of a connection string', () => {
    const client = createBlobServiceClient(
      {
        kind: 'connectionString',
        connectionString:
          'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      },
      1000,
    );
    expect(client.url).toBe('https://acct.blob.core.windows.net/');
    expect(client.credential).toBeInstanceOf(StorageSharedKeyCredential);
  });

  it('reaches Azurite for UseDevelopmentStorage=true', () => {
    const client = createBlobServiceClient(
      { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      1000,
    );
    expect(client.url).toBe('http://127.0.0.1:10000/devstoreaccount1');
  });

  it('uses a user-assigned managed identity for credential=managedidentity with a client ID', () => {
    const client = createBlobServiceClient(
      {
        kind: 'identity',
        blobServiceUri: 'https://acct.blob.core.windows.net/',
        credential: 'managedidentity',
        clientId: 'cid',
      },
      1000,
    );
    expect(client.url).toBe('https://acct.blob.core.windows.net/');
    expect(client.credential).toBeInstanceOf(actual.ManagedIdentityCredential);
    expect(ManagedIdentityCredential).toHaveBeenCalledWith(
      expect.objectContaining({ clientId: 'cid' }),
    );
  });

  it('uses a system-assigned managed identity without a client ID', () => {
    const client = createBlobServiceClient(
      {
        kind: 'identity',
        blobServiceUri: 'https://acct.blob.core.windows.net/',
        credential: 'managedidentity',
      },
      1000,
    );
    expect(client.credential).toBeInstanceOf(actual.ManagedIdentityCredential);
    expect(ManagedIdentityCredential).toHaveBeenCalledWith();
    expect(ManagedIdentityCredential).not.toHaveBeenCalledWith(
      expect.objectContaining({ clientId: expect.anything() }),
    );
  });

  it('uses the default credential chain otherwise (developers signed in locally)', () => {
    const client = createBlobServiceClient(
      { kind: 'identity', blobServiceUri: 'https://acct.blob.core.windows.net/' },
      1000,
    );
    expect(client.credential).toBeInstanceOf(actual.DefaultAzureCredential);
    expect(DefaultAzureCredential).toHaveBeenCalledWith(
      expect.not.objectContaining({ managedIdentityClientId: expect.anything() }),
    );
  });

  it("gives the default chain a client ID as its managed identity's", () => {
    createBlobServiceClient(
      { kind: 'identity', blobServiceUri: 'https://acct.blob.core.windows.net/', clientId: 'cid' },
      1000,
    );
    expect(DefaultAzureCredential).toHaveBeenCalledWith(
      expect.objectContaining({ managedIdentityClientId: 'cid' }),
    );
  });
});
