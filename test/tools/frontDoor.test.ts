/**
 * The front door answers raw request lines as the Functions host does. Every expectation below was
 * measured on Kestrel with the host's routing rebuilt in miniature (WebScriptHostHttpRoutesManager
 * → WebJobsRouteBuilder.MapFunctionRoute: an ASP.NET `Route` with the template under the `api`
 * prefix and an `HttpMethodRouteConstraint` of the function's methods, used through `UseRouter`),
 * with the URL the host hands the worker (`{scheme}://{Host}{Path}{QueryString}`).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { app, type HttpRequest } from '@azure/functions';
import { createFrontDoor } from '../../tools/local-host/http/front-door';
import { compileRoute } from '../../tools/local-host/http/routes';

// The bridge's per-request log lines are not what these tests look at.
jest.mock('../../tools/local-host/log', () => ({ log: () => undefined }));

app.http('frontDoorEcho', {
  methods: ['POST'],
  route: 'orchestrators/{functionName}/{instanceId}',
  handler: async (request: HttpRequest) => ({
    jsonBody: { params: { ...request.params }, url: request.url },
  }),
});

const routes = [
  compileRoute('frontDoorEcho', 'orchestrators/{functionName}/{instanceId}', 'api', ['POST']),
];
const server = createFrontDoor({
  port: 0,
  routes,
  binding: { json: '{}', rpcBaseUrl: 'http://127.0.0.1:9/runtime/webhooks/durabletask/' },
  verbose: false,
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Answer {
  status: number;
  body: string;
}

/** One request line exactly as given (no client-side URL handling), on its own connection. */
function raw(method: string, target: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]),
        body: split < 0 ? '' : text.slice(split + 4),
      });
    });
    socket.end(
      `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
}

const base = '/api/orchestrators/p';

describe('front door: dot segments and escapes (Kestrel decodes, then removes dot segments)', () => {
  it.each([
    ['.'],
    ['..'],
    ['%2E'],
    ['%2E%2E'],
    ['%2e%2e'],
    ['.%2E'],
    ['x/..'],
    ['x/%2E%2E/%2E%2E/%2E%2E/%2E%2E/p/y'],
    ['x//'],
  ])('%s: routed without it, no route left: 404, empty body', async (tail) => {
    expect(await raw('POST', `${base}/${tail}`)).toEqual({ status: 404, body: '' });
  });

  it.each([
    // [request path tail, functionName, instanceId, path of the worker's URL]
    ['x', 'p', 'x', `${base}/x`],
    ['x/../y', 'p', 'y', `${base}/y`],
    ['./x', 'p', 'x', `${base}/x`],
    ['../q/x', 'q', 'x', '/api/orchestrators/q/x'],
    ['%2e%2E/q/r', 'q', 'r', '/api/orchestrators/q/r'],
    ['x/', 'p', 'x', `${base}/x/`],
    ['...', 'p', '...', `${base}/...`],
    // %2F is never decoded, so it is never a separator and `..%2F` is no dot segment.
    ['..%2Fx', 'p', '..%2Fx', `${base}/..%2Fx`],
    ['%2E%2E%2Fx', 'p', '..%2Fx', `${base}/..%2Fx`],
    ['x%2F..', 'p', 'x%2F..', `${base}/x%2F..`],
    ['a%2Fb', 'p', 'a%2Fb', `${base}/a%2Fb`],
    // A backslash and `#` are plain characters to Kestrel (a URL parser would not keep them).
    ['a\\b', 'p', 'a\\b', `${base}/a%5Cb`],
    ['a%5Cb', 'p', 'a\\b', `${base}/a%5Cb`],
    ['x#frag', 'p', 'x#frag', `${base}/x%23frag`],
    // Decoded once; the URL escapes the decoded path again (PathString.ToUriComponent).
    ['%252E', 'p', '%2E', `${base}/%2E`],
    ['%41', 'p', 'A', `${base}/A`],
    ['%7e', 'p', '~', `${base}/~`],
    ['x;y', 'p', 'x;y', `${base}/x;y`],
    // Invalid UTF-8 stays escaped, the valid part around it is decoded.
    ['caf%C3%A9%C3', 'p', 'café%C3', `${base}/caf%C3%A9%C3`],
    ['%E2%82%AC%ED%A0%80', 'p', '€%ED%A0%80', `${base}/%E2%82%AC%ED%A0%80`],
    ['%C0%AE%C0%AE', 'p', '%C0%AE%C0%AE', `${base}/%C0%AE%C0%AE`],
  ])('%s → %s / %s', async (tail, functionName, instanceId, urlPath) => {
    const answer = await raw('POST', `${base}/${tail}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      params: { functionName, instanceId },
      // The host's URL as @azure/functions shows it (it parses the URL, so `/%2E` ends as `/`).
      url: new URL(`http://localhost${urlPath}`).href,
    });
  });

  it('removes dot segments at the start, and keeps the query out of it', async () => {
    expect(JSON.parse((await raw('POST', '/./api/orchestrators/p/x')).body).params).toEqual({
      functionName: 'p',
      instanceId: 'x',
    });
    expect(JSON.parse((await raw('POST', `${base}/x/.?a=/..`)).body).url).toBe(
      `http://localhost${base}/x/?a=/..`,
    );
  });

  it('refuses %00 in the path with 400 and an empty body, before routing', async () => {
    expect(await raw('POST', `${base}/a%00b`)).toEqual({ status: 400, body: '' });
  });

  it('does not merge empty segments', async () => {
    expect(await raw('POST', '/api//orchestrators/p/x')).toEqual({ status: 404, body: '' });
  });
});

describe('front door: methods (HttpMethodRouteConstraint)', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])(
    '%s on a POST-only function: no route matches, 404 with an empty body (no 405, no Allow)',
    async (method) => {
      expect(await raw(method, `${base}/x`)).toEqual({ status: 404, body: '' });
    },
  );
});
