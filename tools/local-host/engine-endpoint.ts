/**
 * The bridge's internal loopback endpoint, called by the C# engine only: `POST /orchestration/{name}`
 * and `POST /activity/{name}?instanceId=` run the app's functions; `POST /client-binding` hands
 * over the durable client binding data the extension produced. With a launch token, a call without
 * it (another launch's engine) is refused with 403.
 */
import http from 'node:http';
import { runActivity, runOrchestration } from './app-runner';
import type { ClientBinding } from './http/front-door';
import { readBody, send } from './http/http-io';
import { log } from './log';
import { errorParts } from './rpc-data';

export const TOKEN_HEADER = 'x-local-host-token';

export interface EngineEndpointOptions {
  /** The launch's token; undefined accepts every caller. */
  readonly token?: string;
  readonly verbose: boolean;
  readonly onClientBinding: (binding: ClientBinding) => void;
}

const json = { 'content-type': 'application/json' };

/** The extension's binding data → what the front door needs (the RPC base URL ends in `/`). */
export function parseClientBinding(text: string): ClientBinding & { taskHubName?: string } {
  const parsed = JSON.parse(text) as { rpcBaseUrl?: string; taskHubName?: string };
  const rpc = parsed.rpcBaseUrl ?? 'http://127.0.0.1:17071/durabletask/';
  return {
    json: text,
    rpcBaseUrl: rpc.endsWith('/') ? rpc : rpc + '/',
    taskHubName: parsed.taskHubName,
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: EngineEndpointOptions,
): Promise<void> {
  if (options.token !== undefined && req.headers[TOKEN_HEADER] !== options.token) {
    send(res, 403, JSON.stringify({ ok: false, message: 'Not this launch’s engine.' }), json);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://bridge');
  const body = (await readBody(req)).toString('utf8');
  const [kind, name, ...rest] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (req.method !== 'POST' || rest.length > 0) {
    send(res, 404, '{}', json);
  } else if (kind === 'orchestration' && name !== undefined) {
    send(res, 200, JSON.stringify(await runOrchestration(name, body)), json);
  } else if (kind === 'activity' && name !== undefined) {
    const instanceId = url.searchParams.get('instanceId') ?? '?';
    // The engine sends the input as the host binds it: a string, or null when there is none.
    const input = JSON.parse(body) as string | null;
    send(
      res,
      200,
      JSON.stringify(await runActivity(name, input, instanceId, options.verbose)),
      json,
    );
  } else if (kind === 'client-binding' && name === undefined) {
    const binding = parseClientBinding(body);
    send(res, 200, '{}', json);
    log(`durable client binding received (hub ${binding.taskHubName}, rpc ${binding.rpcBaseUrl})`);
    options.onClientBinding(binding);
  } else {
    send(res, 404, '{}', json);
  }
}

export function createEngineEndpoint(options: EngineEndpointOptions): http.Server {
  return http.createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      log(`internal endpoint error: ${errorParts(err).stack}`);
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ ok: false, message: errorParts(err).message }), json);
    });
  });
}
