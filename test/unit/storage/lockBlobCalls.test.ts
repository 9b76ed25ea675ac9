import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  AnonymousCredential,
  BlobServiceClient,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobCallError, LockBlobCalls } from '../../../src/storage/lockBlobCalls';
import { stringToSign } from '../../../src/storage/requestSigning';

// A storage stand-in on loopback: records each request and answers from a script.
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}
type Reply = { status: number; headers?: Record<string, string> } | 'hang';

let server: Server;
let base: string;
let seen: Seen[];
let replies: Reply[];

beforeEach(async () => {
  seen = [];
  replies = [];
  server = createServer((request, response) => {
    seen.push({ method: request.method!, url: request.url!, headers: request.headers });
    request.resume();
    const reply = replies.shift() ?? { status: 201, headers: { etag: '"e1"' } };
    if (reply === 'hang') return;
    response.writeHead(reply.status, reply.headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acct`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const KEY = Buffer.from('a test key, not a secret').toString('base64');
const keyService = () =>
  new BlobServiceClient(base, new StorageSharedKeyCredential('acct', KEY), {
    retryOptions: { maxTries: 1 },
  });

/** What the SDK itself sends for the same operation, captured at the stand-in. */
async function sdkRequest(act: (service: BlobServiceClient) => Promise<unknown>): Promise<Seen> {
  replies.push({ status: 201, headers: { etag: '"e1"' } });
  await act(keyService()).catch(() => undefined);
  return seen.pop()!;
}

/** Our signature over the headers the SDK sent, to compare with the SDK's own. */
function resign(request: Seen): string {
  const url = new URL(request.url, 'http://x');
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([k, v]) => [k, String(v)]),
  );
  const credential = new StorageSharedKeyCredential('acct', KEY);
  const toSign = stringToSign('acct', request.method, url.pathname, url.search.slice(1), headers);
  return `SharedKey acct:${credential.computeHMACSHA256(toSign)}`;
}

describe('LockBlobCalls: Shared Key signing', () => {
  const blob = (service: BlobServiceClient) =>
    service.getContainerClient('locks').getBlockBlobClient('hub/abc');

  it.each([
    [
      'create',
      (s: BlobServiceClient) => blob(s).upload('', 0, { conditions: { ifNoneMatch: '*' } }),
    ],
    ['delete', (s: BlobServiceClient) => blob(s).delete({ conditions: { ifMatch: '"e1"' } })],
    ['properties', (s: BlobServiceClient) => blob(s).getProperties()],
    [
      'touch',
      (s: BlobServiceClient) => blob(s).setMetadata({}, { conditions: { ifMatch: '"e1"' } }),
    ],
  ])('signs %s as the SDK signs the same request', async (_name, act) => {
    const sdk = await sdkRequest(act);
    expect(resign(sdk)).toBe(sdk.headers.authorization);
  });

  it('sends what it signs: the signature checks out over the headers that arrive', async () => {
    const calls = new LockBlobCalls(keyService(), 'locks');
    await calls.create('hub/abc', 1_000);
    await calls.touch('hub/abc', '"e1"', 1_000);
    expect(seen).toHaveLength(2);
    for (const request of seen) expect(resign(request)).toBe(request.headers.authorization);
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      url: '/acct/locks/hub/abc',
      headers: { 'if-none-match': '*', 'x-ms-blob-type': 'BlockBlob', 'content-length': '0' },
    });
    expect(seen[1]).toMatchObject({
      method: 'PUT',
      url: '/acct/locks/hub/abc?comp=metadata',
      headers: { 'if-match': '"e1"' },
    });
  });
});

describe('LockBlobCalls: answers, retries and bounds', () => {
  it("reads the lock's headers from the answer", async () => {
    replies.push({
      status: 200,
      headers: {
        etag: '"e2"',
        date: 'Sat, 28 Nov 2026 20:00:30 GMT',
        'last-modified': 'Sat, 28 Nov 2026 20:00:00 GMT',
      },
    });
    const answer = await new LockBlobCalls(keyService(), 'locks').properties('hub/abc', 1_000);
    expect(answer).toEqual({
      status: 200,
      etag: '"e2"',
      date: new Date('2026-11-28T20:00:30Z'),
      lastModified: new Date('2026-11-28T20:00:00Z'),
    });
  });

  it("keeps storage's error code on an error status, without retrying a final one", async () => {
    replies.push({ status: 404, headers: { 'x-ms-error-code': 'ContainerNotFound' } });
    const answer = await new LockBlobCalls(keyService(), 'locks').create('hub/abc', 1_000);
    expect(answer).toMatchObject({ status: 404, errorCode: 'ContainerNotFound' });
    expect(seen).toHaveLength(1);
  });

  it('tries once more after a transient status, and gives that answer', async () => {
    replies.push({ status: 503 }, { status: 201, headers: { etag: '"e3"' } });
    const answer = await new LockBlobCalls(keyService(), 'locks').create('hub/abc', 2_000);
    expect(answer).toMatchObject({ status: 201, etag: '"e3"' });
    expect(seen).toHaveLength(2);
  });

  it('answers the second transient status as it is: twice at most', async () => {
    replies.push({ status: 503 }, { status: 500 }, { status: 201 });
    const answer = await new LockBlobCalls(keyService(), 'locks').create('hub/abc', 2_000);
    expect(answer.status).toBe(500);
    expect(seen).toHaveLength(2);
  });

  it('rejects as timed out when storage does not answer within the bound', async () => {
    replies.push('hang');
    const started = Date.now();
    const call = new LockBlobCalls(keyService(), 'locks').create('hub/abc', 300);
    await expect(call).rejects.toMatchObject({ name: 'BlobCallError', timedOut: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(1);
  });

  it('rejects without a status when nothing answers, after the second try', async () => {
    const closed = new BlobServiceClient(
      'http://127.0.0.1:1/acct',
      new StorageSharedKeyCredential('acct', KEY),
    );
    const call = new LockBlobCalls(closed, 'locks').create('hub/abc', 2_000);
    await expect(call).rejects.toBeInstanceOf(BlobCallError);
    await expect(call).rejects.toMatchObject({ statusCode: undefined });
  });
});

describe('LockBlobCalls: identity-based connections', () => {
  function credential(expiresInMs: number) {
    let n = 0;
    const getToken = jest.fn(async (): Promise<AccessToken> => ({
      token: `t${++n}`,
      expiresOnTimestamp: Date.now() + expiresInMs,
    }));
    return { getToken } satisfies TokenCredential;
  }

  it("sends the credential's storage token, asking once while it is fresh", async () => {
    const token = credential(60 * 60_000);
    const calls = new LockBlobCalls(new BlobServiceClient(base, token), 'locks');
    await calls.create('hub/abc', 1_000);
    await calls.delete('hub/abc', '"e1"', 1_000);
    expect(token.getToken).toHaveBeenCalledTimes(1);
    expect(token.getToken).toHaveBeenCalledWith('https://storage.azure.com/.default');
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t1']);
  });

  it('asks again for a token about to expire', async () => {
    const token = credential(60_000);
    const calls = new LockBlobCalls(new BlobServiceClient(base, token), 'locks');
    await calls.create('hub/abc', 1_000);
    await calls.create('hub/abc', 1_000);
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('keeps the SAS of an anonymous client on every call, and adds no header', async () => {
    const sas = 'sv=2025-01-05&sig=abc%3D';
    const service = new BlobServiceClient(`${base}?${sas}`, new AnonymousCredential());
    const calls = new LockBlobCalls(service, 'locks');
    await calls.create('hub/abc', 1_000);
    await calls.touch('hub/abc', '"e1"', 1_000);
    expect(seen.map((r) => r.url)).toEqual([
      `/acct/locks/hub/abc?${sas}`,
      `/acct/locks/hub/abc?${sas}&comp=metadata`,
    ]);
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });
});
