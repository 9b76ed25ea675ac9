/** Builds the blob client for the app's storage account, with bounded timeouts and retries. */
import {
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { StorageConnection } from './connection';

function credentialFor(
  connection: Extract<StorageConnection, { kind: 'identity' }>,
): TokenCredential {
  // The Functions host's rule: `managedidentity` means a managed identity (user-assigned when a
  // client ID is given); anything else uses the default chain, which also covers local developers.
  if (connection.credential?.toLowerCase() === 'managedidentity') {
    return connection.clientId
      ? new ManagedIdentityCredential({ clientId: connection.clientId })
      : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(
    connection.clientId ? { managedIdentityClientId: connection.clientId } : {},
  );
}

export function createBlobServiceClient(
  connection: StorageConnection,
  timeoutMs: number,
): BlobServiceClient {
  // The SDK's default schedule retries for minutes; a caller waiting on a start must hear within
  // seconds that storage is unreachable.
  const options: StoragePipelineOptions = {
    retryOptions: {
      maxTries: 2,
      tryTimeoutInMs: timeoutMs,
      retryDelayInMs: 100,
      maxRetryDelayInMs: 500,
    },
  };
  return connection.kind === 'connectionString'
    ? BlobServiceClient.fromConnectionString(connection.connectionString, options)
    : new BlobServiceClient(connection.blobServiceUri, credentialFor(connection), options);
}
