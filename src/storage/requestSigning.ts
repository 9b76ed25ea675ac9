/**
 * How the lock's requests are authorized, with the storage SDK's own credential: the account key
 * signs through `StorageSharedKeyCredential` (Shared Key), an identity-based connection asks the
 * `TokenCredential` for a bearer token, as the SDK itself does; a SAS needs nothing added.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { StorageSharedKeyCredential } from '@azure/storage-blob';

const STORAGE_SCOPE = 'https://storage.azure.com/.default';
/** A token is renewed this long before it expires. */
const TOKEN_MARGIN_MS = 2 * 60_000;

type Headers = Record<string, string>;

/** Adds the `authorization` header for a request with these parts (the path as sent, encoded). */
export type Signer = (
  method: string,
  path: string,
  query: string,
  headers: Headers,
) => Promise<void>;

export function signerFor(credential: unknown): Signer {
  if (credential instanceof StorageSharedKeyCredential) {
    return async (method, path, query, headers) => {
      headers.authorization = `SharedKey ${credential.accountName}:${credential.computeHMACSHA256(
        stringToSign(credential.accountName, method, path, query, headers),
      )}`;
    };
  }
  if (isTokenCredential(credential)) return bearer(credential);
  // Anonymous (a SAS in the URL): nothing to add.
  return async () => undefined;
}

function isTokenCredential(credential: unknown): credential is TokenCredential {
  return typeof (credential as Partial<TokenCredential> | undefined)?.getToken === 'function';
}

function bearer(credential: TokenCredential): Signer {
  let token: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;
  return async (_method, _path, _query, headers) => {
    if (!token || token.expiresOnTimestamp - Date.now() < TOKEN_MARGIN_MS) {
      pending ??= credential.getToken(STORAGE_SCOPE).then((got) => {
        if (!got) throw new Error('The credential gave no token for storage.');
        return got;
      });
      try {
        token = await pending;
      } finally {
        pending = undefined;
      }
    }
    headers.authorization = `Bearer ${token.token}`;
  };
}

/**
 * Shared Key's string to sign (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key),
 * for these calls: no body but a zero length, which since version 2015-02-21 signs as empty.
 */
export function stringToSign(
  account: string,
  method: string,
  path: string,
  query: string,
  headers: Headers,
): string {
  const length = headers['content-length'] === '0' ? '' : (headers['content-length'] ?? '');
  const standard = [
    method,
    '', // Content-Encoding
    '', // Content-Language
    length,
    '', // Content-MD5
    headers['content-type'] ?? '',
    '', // Date (x-ms-date is sent instead)
    '', // If-Modified-Since
    headers['if-match'] ?? '',
    headers['if-none-match'] ?? '',
    '', // If-Unmodified-Since
    '', // Range
  ];
  const msHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join('');
  const parameters = query
    ? `\n${query
        .split('&')
        .map((pair) => pair.split('='))
        .sort(([a], [b]) => (a! < b! ? -1 : 1))
        .map(
          ([key, value]) =>
            `${decodeURIComponent(key!).toLowerCase()}:${decodeURIComponent(value ?? '')}`,
        )
        .join('\n')}`
    : '';
  return `${standard.join('\n')}\n${msHeaders}/${account}${path}${parameters}`;
}
