/**
 * The front door (:7071): `/api/...` to the app's HTTP functions by route and method, through
 * `@azure/functions`' invocation model with the durable client binding data, any auth level
 * accepted; `/runtime/webhooks/durabletask/...` to the extension. Both on the path as Kestrel
 * gives it to the host (`request-path.ts`); no matching route (a method a function does not
 * list, too) is a 404 with an empty body, as at the end of the host's pipeline.
 */
import http from 'node:http';
import { invokeHttpFunction } from '../../functions-core';
import { log } from '../log';
import { errorParts } from '../rpc-data';
import { readBody, requestHeaders, send } from './http-io';
import { BadRequestTarget, pathToUriComponent, requestPath } from './request-path';
import { matchRoute, type RouteMatch, type Route } from './routes';
import { forwardToExtension, WEBHOOK_PATH } from './webhooks';

/** The durable client binding data the extension produced, and its RPC endpoint. */
export interface ClientBinding {
  readonly json: string;
  readonly rpcBaseUrl: string;
}

export interface FrontDoorOptions {
  readonly port: number;
  readonly routes: readonly Route[];
  readonly binding: ClientBinding;
  /** Log webhook requests too (every `/api` request is logged anyway). */
  readonly verbose: boolean;
}

const dropped = new Set(['content-length', 'transfer-encoding']);

async function serveFunction(
  found: RouteMatch,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: string,
  clientJson: string,
): Promise<number> {
  const body = await readBody(req);
  const call = {
    method: req.method ?? 'GET',
    url,
    headers: requestHeaders(req),
    body,
    params: found.params,
  };
  let reply;
  try {
    reply = await invokeHttpFunction(found.route.functionName, call, clientJson);
  } catch (err) {
    log(`http function ${found.route.functionName} failed: ${errorParts(err).stack}`);
    send(res, 500, '');
    return 500;
  }
  const headers = Object.fromEntries(
    Object.entries(reply.headers).filter(([k]) => !dropped.has(k.toLowerCase())),
  );
  send(res, reply.status, reply.body, headers);
  return reply.status;
}

export function createFrontDoor(options: FrontDoorOptions): http.Server {
  const { port, routes, binding, verbose } = options;
  const server = http.createServer((req, res) => {
    const started = Date.now();
    let target: { path: string; query: string };
    try {
      target = requestPath(req.url ?? '/');
    } catch (err) {
      if (!(err instanceof BadRequestTarget)) throw err;
      // Kestrel refuses the request line (a `%00` in the path) before the host sees it.
      send(res, 400, '', { connection: 'close' });
      log(`${req.method} ${req.url} -> 400 (${err.message})`);
      return;
    }
    const { path, query } = target;
    const hook = WEBHOOK_PATH.exec(path);
    let work: Promise<number>;
    if (hook) {
      work = forwardToExtension(binding.rpcBaseUrl, pathToUriComponent(hook[1]), req, res, query);
    } else {
      const found = matchRoute(routes, req.method ?? 'GET', path);
      // The URL the host gives the worker: `{scheme}://{Host}{Path}{QueryString}` (ToRpcHttp).
      const url = `http://${req.headers.host ?? `localhost:${port}`}${pathToUriComponent(path)}${query}`;
      work = found
        ? serveFunction(found, req, res, url, binding.json)
        : Promise.resolve().then(() => (send(res, 404, ''), 404));
    }
    // `GET /` is how the launcher and `--wait` poll for readiness: not worth a line each.
    const quiet = !verbose && (hook !== null || (path === '/' && req.method === 'GET'));
    work
      .then((status) => {
        if (!quiet)
          log(
            `${req.method} ${pathToUriComponent(path)}${query} -> ${status} (${Date.now() - started} ms)`,
          );
      })
      .catch((err: unknown) => {
        log(`${req.method} ${pathToUriComponent(path)} failed: ${errorParts(err).stack}`);
        if (!res.headersSent) send(res, 502, '');
      });
  });
  server.keepAliveTimeout = 5000;
  return server;
}
