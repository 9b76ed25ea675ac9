/**
 * The lock's four blob calls (create, delete, read properties, touch), sent as plain HTTPS
 * requests signed with the storage SDK's own credential.
 *
 * Why not the SDK's blob client: the lock sits on every start's path, and the SDK's request
 * pipeline (policies, operation specs, XML error parsing) cost about 1.2 ms of CPU per
 * create-and-delete against 0.4 ms for these requests (measured against Azurite on a 2-core
 * development machine; bench/README.md). The calls are four fixed REST operations without a body, so the only part
 * worth reusing is the credential (`requestSigning`). The container is still made by the SDK
 * (`containerOnce`): it happens once per process.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import http from 'node:http';
import https from 'node:https';
import { signerFor, type Signer } from './requestSigning';

/** The REST API version sent with every call: one the lock's four operations have long had. */
const STORAGE_API_VERSION = '2025-01-05';
/** One more try after no answer or a transient status, as the SDK's retry policy was set here. */
const MAX_TRIES = 2;
const RETRY_DELAY_MS = 100;
const TRANSIENT = new Set([408, 500, 502, 503, 504]);

/** What storage answered: its status, and the headers the lock reads. */
export interface BlobAnswer {
  readonly status: number;
  readonly etag?: string;
  /** Storage's clock at the answer (`Date`), and the blob's last change (`Last-Modified`). */
  readonly date?: Date;
  readonly lastModified?: Date;
  /** Storage's `x-ms-error-code`, on an error status. */
  readonly errorCode?: string;
}

/**
 * A failed call, in the fields `storageFailure` reads: `statusCode` and `code` (storage's
 * `x-ms-error-code`) when storage answered, `timedOut` when it did not in time, neither when there
 * was no answer at all.
 */
export class BlobCallError extends Error {
  override readonly name = 'BlobCallError';
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly code?: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

type Headers = Record<string, string>;

export class LockBlobCalls {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly sign: Signer;

  constructor(service: BlobServiceClient, containerName: string) {
    const serviceUrl = new URL(service.url);
    this.base = new URL(
      `${encodeURIComponent(containerName)}/`,
      withSlash(serviceUrl.origin + serviceUrl.pathname),
    );
    this.base.search = serviceUrl.search;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true })
        : new http.Agent({ keepAlive: true });
    this.sign = signerFor(service.credential);
  }

  /** Creates an empty block blob unless one exists: 201, or 409 when it does. */
  create(name: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call('PUT', name, '', timeoutMs, {
      'x-ms-blob-type': 'BlockBlob',
      'content-length': '0',
      'if-none-match': '*',
    });
  }

  /** Deletes the blob if its ETag is still `etag`: 202, 404, or 412 when it changed. */
  delete(name: string, etag: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call('DELETE', name, '', timeoutMs, { 'if-match': etag });
  }

  /** The blob's properties: 200 with its ETag and times, or 404. */
  properties(name: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call('HEAD', name, '', timeoutMs, {});
  }

  /** Rewrites the blob's (empty) metadata if its ETag is still `etag`: a new ETag and time. */
  touch(name: string, etag: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call('PUT', name, 'comp=metadata', timeoutMs, {
      'content-length': '0',
      'if-match': etag,
    });
  }

  private async call(
    method: string,
    name: string,
    query: string,
    timeoutMs: number,
    extra: Headers,
  ): Promise<BlobAnswer> {
    const url = new URL(name.split('/').map(encodeURIComponent).join('/'), this.base);
    // A SAS in the service URL (a connection string's `SharedAccessSignature`) stays on each call.
    url.search = [this.base.search.slice(1), query].filter(Boolean).join('&');
    const deadline = Date.now() + timeoutMs;
    for (let tries = 1; ; tries++) {
      const headers: Headers = {
        ...extra,
        'x-ms-date': new Date().toUTCString(),
        'x-ms-version': STORAGE_API_VERSION,
      };
      await this.sign(method, url.pathname, query, headers);
      const remaining = deadline - Date.now();
      try {
        if (remaining <= 0)
          throw new BlobCallError(`no answer within ${timeoutMs} ms`, undefined, undefined, true);
        const answer = await this.send(method, url, headers, remaining);
        const again = TRANSIENT.has(answer.status) && tries < MAX_TRIES;
        if (!again) return answer;
      } catch (error) {
        const timedOut = error instanceof BlobCallError && error.timedOut;
        if (timedOut || tries >= MAX_TRIES) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }

  private send(method: string, url: URL, headers: Headers, timeoutMs: number): Promise<BlobAnswer> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers, agent: this.agent }, (response) => {
        response.resume();
        response.on('end', () => {
          clearTimeout(timer);
          resolve(answerOf(response));
        });
        response.on('error', fail);
      });
      const timer = setTimeout(() => {
        request.destroy(
          new BlobCallError(`no answer within ${timeoutMs} ms`, undefined, undefined, true),
        );
      }, timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error instanceof BlobCallError ? error : new BlobCallError(error.message));
      }
      request.on('error', fail);
      request.end();
    });
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function answerOf(response: http.IncomingMessage): BlobAnswer {
  const date = response.headers.date;
  const lastModified = response.headers['last-modified'];
  const etag = response.headers.etag;
  const errorCode = response.headers['x-ms-error-code'];
  return {
    status: response.statusCode ?? 0,
    ...(etag !== undefined && { etag }),
    ...(date !== undefined && { date: new Date(date) }),
    ...(lastModified !== undefined && { lastModified: new Date(lastModified) }),
    ...(typeof errorCode === 'string' && { errorCode }),
  };
}

/** An answer the caller did not expect, as the error the SDK would have thrown for it. */
export function unexpected(answer: BlobAnswer): BlobCallError {
  return new BlobCallError(
    `storage answered ${answer.status}${answer.errorCode ? ` (${answer.errorCode})` : ''}`,
    answer.status,
    answer.errorCode,
  );
}
