import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { AnonymousCredential, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createBlobServiceClient } from '../../../src/storage/blobService';

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
    expect(client.credential).toBeInstanceOf(ManagedIdentityCredential);
    expect(client.credential).not.toBeInstanceOf(AnonymousCredential);
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
    expect(client.credential).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('uses the default credential chain otherwise (developers signed in locally)', () => {
    const client = createBlobServiceClient(
      { kind: 'identity', blobServiceUri: 'https://acct.blob.core.windows.net/' },
      1000,
    );
    expect(client.credential).toBeInstanceOf(DefaultAzureCredential);
  });
});
