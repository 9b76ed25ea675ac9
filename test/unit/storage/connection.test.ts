import { parseStorageConnection, StorageConnectionError } from '../../../src/storage/connection';

const parse = (env: Record<string, string>) => parseStorageConnection(env, 'AzureWebJobsStorage');

describe('parseStorageConnection', () => {
  it('takes a connection string, including the development shorthand', () => {
    expect(parse({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' })).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
    const full =
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    expect(parse({ AzureWebJobsStorage: full })).toEqual({
      kind: 'connectionString',
      connectionString: full,
    });
  });

  it('prefers the connection string when both forms are set', () => {
    expect(
      parse({
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        AzureWebJobsStorage__accountName: 'acct',
      }).kind,
    ).toBe('connectionString');
  });

  it('takes __blobServiceUri with a user-assigned managed identity', () => {
    expect(
      parse({
        AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
        AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
      }),
    ).toEqual({
      kind: 'identity',
      blobServiceUri: 'https://acct.blob.core.windows.net/',
      credential: 'managedidentity',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
  });

  it('takes __blobServiceUri without a client ID (default credential chain)', () => {
    expect(
      parse({ AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net/' }),
    ).toEqual({
      kind: 'identity',
      blobServiceUri: 'https://acct.blob.core.windows.net/',
    });
  });

  it('derives the blob endpoint from __accountName, with and without __clientId', () => {
    expect(parse({ AzureWebJobsStorage__accountName: 'acct123' })).toEqual({
      kind: 'identity',
      blobServiceUri: 'https://acct123.blob.core.windows.net/',
    });
    expect(
      parse({
        AzureWebJobsStorage__accountName: 'acct123',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: 'cid',
      }),
    ).toEqual({
      kind: 'identity',
      blobServiceUri: 'https://acct123.blob.core.windows.net/',
      credential: 'managedidentity',
      clientId: 'cid',
    });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{}, /No storage connection/],
    [{ AzureWebJobsStorage: '  ' }, /No storage connection/],
    [{ AzureWebJobsStorage__blobServiceUri: 'not a url' }, /__blobServiceUri is not a URL/],
    [{ AzureWebJobsStorage__blobServiceUri: 'ftp://acct/' }, /must be an http\(s\) URL/],
    [
      { AzureWebJobsStorage__accountName: 'Bad_Account' },
      /__accountName must be a storage account name/,
    ],
  ])('rejects %p', (env, message) => {
    expect(() => parse(env)).toThrow(StorageConnectionError);
    expect(() => parse(env)).toThrow(message);
  });
});
