/**
 * The front door (:7071): `/api/...` to the app's HTTP functions by route and method, through
 * `@azure/functions`' invocation model with the durable client binding data, any auth level
 * accepted; `/runtime/webhooks/durabletask/...` to the extension.
 */
import http from 'node:http';
import { invokeHttpFunction } from '../../functions-core';
import { log } from '../log';
import { errorParts } from '../rpc-data';
import { readBody, requestHeaders, send } from './http-io';
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
  url: URL,
  clientJson: string,
): Promise<number> {
  const body = await readBody(req);
  const call = {
    method: req.method ?? 'GET',
    url: url.toString(),
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
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `localhost:${port}`}`);
    const hook = WEBHOOK_PATH.exec(url.pathname);
    let work: Promise<number>;
    if (hook) {
      work = forwardToExtension(binding.rpcBaseUrl, hook[1], req, res, url.search);
    } else {
      const found = matchRoute(routes, req.method ?? 'GET', url.pathname);
      work = found
        ? serveFunction(found, req, res, url, binding.json)
        : Promise.resolve().then(() => (send(res, 404, ''), 404));
    }
    work
      .then((status) => {
        if (verbose || !hook)
          log(
            `${req.method} ${url.pathname}${url.search} -> ${status} (${Date.now() - started} ms)`,
          );
      })
      .catch((err: unknown) => {
        log(`${req.method} ${url.pathname} failed: ${errorParts(err).stack}`);
        if (!res.headersSent) send(res, 502, '');
      });
  });
  server.keepAliveTimeout = 5000;
  return server;
}
