/**
 * How the app reaches its storage account, read from the same settings the Functions host uses for
 * a connection named `AzureWebJobsStorage`: a connection string, or identity-based settings
 * (`<name>__blobServiceUri` or `<name>__accountName`, optionally `__credential` and `__clientId`).
 */
import type { Env } from '../env';

export type StorageConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly blobServiceUri: string;
      /** `managedidentity` selects a managed identity; otherwise the default credential chain. */
      readonly credential?: string;
      /** Client ID of a user-assigned managed identity. */
      readonly clientId?: string;
    };

export class StorageConnectionError extends Error {
  override readonly name = 'StorageConnectionError';
}

function setting(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

// Storage account names: 3-24 lowercase letters and digits.
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export function parseStorageConnection(env: Env, name: string): StorageConnection {
  const connectionString = setting(env, name);
  if (connectionString) {
    return { kind: 'connectionString', connectionString };
  }
  const credential = setting(env, `${name}__credential`);
  const clientId = setting(env, `${name}__clientId`);
  const identity = { ...(credential && { credential }), ...(clientId && { clientId }) };

  const blobServiceUri = setting(env, `${name}__blobServiceUri`);
  if (blobServiceUri) {
    let url: URL;
    try {
      url = new URL(blobServiceUri);
    } catch {
      throw new StorageConnectionError(`App setting ${name}__blobServiceUri is not a URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new StorageConnectionError(
        `App setting ${name}__blobServiceUri must be an http(s) URL.`,
      );
    }
    return { kind: 'identity', blobServiceUri: url.href, ...identity };
  }
  const accountName = setting(env, `${name}__accountName`);
  if (accountName) {
    if (!ACCOUNT_NAME.test(accountName)) {
      throw new StorageConnectionError(
        `App setting ${name}__accountName must be a storage account name (3-24 lowercase letters and digits).`,
      );
    }
    return {
      kind: 'identity',
      blobServiceUri: `https://${accountName}.blob.core.windows.net/`,
      ...identity,
    };
  }
  throw new StorageConnectionError(
    `No storage connection: set ${name} to a connection string, or ${name}__blobServiceUri (or ${name}__accountName) for an identity-based connection.`,
  );
}
