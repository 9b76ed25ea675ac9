/**
 * Answers that depend on how the host hands a request to the app, checked over HTTP only. Each
 * expectation is what the Functions host (func start, Azure) does; the local host mirrors it.
 */
import { randomBytes } from 'node:crypto';

const BASE = (process.env.E2E_BASE_URL ?? 'http://localhost:7071').replace(/\/+$/, '');
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const startUrl = (id: string, query = '') => `${BASE}/api/orchestrators/processBatch/${id}${query}`;
const statusUrl = (id: string) =>
  `${BASE}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}`;

interface Problem {
  type: string;
  status: number;
  detail: string;
}

async function problemOf(response: Response): Promise<Problem> {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Problem;
}

/** A POST whose body is streamed: `Transfer-Encoding: chunked`, no `Content-Length`. */
function chunkedPost(url: string, text: string): Promise<Response> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit);
}

describe('requests as the Functions host hands them to the app', () => {
  it('answers a chunked POST (no Content-Length) with 411 and starts nothing', async () => {
    // The host passes no body without a positive Content-Length: the input would be lost.
    const id = `e2e-chunked-${run}`;
    const response = await chunkedPost(startUrl(id), '{"items": 3}');
    expect(response.status).toBe(411);
    expect((await problemOf(response)).type).toBe('urn:durable-singleton:problem:length-required');
    expect((await fetch(statusUrl(id))).status).toBe(404);
  });

  // The host joins repeated values with ',' (the bridge's unit tests check that); the starter
  // reads the URL again and counts them, whichever host it runs on (naming no value: issue 26).
  it('answers two onConflict values with a 400 counting them, and starts nothing', async () => {
    const id = `e2e-repeated-${run}`;
    const response = await fetch(startUrl(id, '?onConflict=reject&onConflict=attach'), {
      method: 'POST',
    });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.type).toBe('urn:durable-singleton:problem:invalid-conflict-policy');
    expect(problem.detail).toBe('onConflict must be given at most once; it was given 2 times.');
    expect((await fetch(statusUrl(id))).status).toBe(404);
  });

  it('receives %2F in a route value still encoded, as Kestrel leaves it', async () => {
    const response = await fetch(startUrl(`a%2Fb-${run}`), { method: 'POST' });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.type).toBe('urn:durable-singleton:problem:invalid-instance-id');
    // The app got `a%2Fb-…`: its first forbidden character is `%`, not `/`.
    expect(problem.detail).toContain("must not contain '%'");
  });

  it('decodes other escapes in route values', async () => {
    const response = await fetch(startUrl(`a%3Fb-${run}`), { method: 'POST' });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).detail).toContain("must not contain '?'");
  });
});
