/**
 * The bridge's internal loopback endpoint, called by the C# engine only: `POST /orchestration/{name}`,
 * `POST /activity/{name}?instanceId=` and `POST /trigger/{name}` (timer and storage-queue
 * functions) run the app's functions; `POST /client-binding` hands
 * over the durable client binding data the extension produced. With a launch token, a call without
 * it (another launch's engine) is refused with 403. `GET /client-binding` (no token: it changes
 * nothing) answers that binding data as the extension produced it, so a test can learn the port of
 * this instance's extension endpoint (the extension picks it; the chaos suite proxies it).
 */
import http from 'node:http';
import { runActivity, runOrchestration } from './app-runner';
import type { ClientBinding } from './http/front-door';
import { readBody, send } from './http/http-io';
import { log } from './log';
import { errorParts } from './rpc-data';
import { runTrigger, type TriggerCall } from './trigger-runner';

export const TOKEN_HEADER = 'x-local-host-token';

/** An activity with durable client inputs, as the engine sends it. */
interface ActivityCall {
  readonly input: string | null;
  readonly clients: Readonly<Record<string, string | null>>;
}

export interface EngineEndpointOptions {
  /** The launch's token; undefined accepts every caller. */
  readonly token?: string;
  readonly verbose: boolean;
  readonly onClientBinding: (binding: ClientBinding) => void;
  /** The durable client binding data a timer or queue function gets (default: as produced). */
  readonly clientJson?: (json: string) => string;
}

const json = { 'content-type': 'application/json' };

/**
 * The binding with the app's durable client sent through `port` on the loopback (a fault proxy in
 * front of the extension's endpoint, in the chaos suite). The extension serves its RPC path only
 * for requests addressed to its own port, so the client gets the webhook path (`baseUrl`'s path),
 * which the same listener serves whatever the address.
 */
export function clientBindingThrough(binding: ClientBinding, port: number): ClientBinding {
  const data = JSON.parse(binding.json) as { baseUrl?: string; rpcBaseUrl?: string };
  const path = new URL(data.baseUrl ?? 'http://localhost/runtime/webhooks/durabletask').pathname;
  const rpcBaseUrl = `http://127.0.0.1:${port}${path.replace(/\/?$/, '/')}`;
  return { json: JSON.stringify({ ...data, rpcBaseUrl }), rpcBaseUrl };
}

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
  received: { json?: string },
): Promise<void> {
  if (req.method === 'GET' && req.url === '/client-binding') {
    send(res, received.json ? 200 : 404, received.json ?? '{}', json);
    return;
  }
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
    // The engine sends the input as the host binds it: a string, or null when there is none;
    // with durable client inputs, `{ input, clients }` (each client's binding data).
    const sent = JSON.parse(body) as string | null | ActivityCall;
    const call: ActivityCall =
      sent !== null && typeof sent === 'object' ? sent : { input: sent, clients: {} };
    const result = await runActivity(name, call.input, instanceId, options.verbose, {
      clients: call.clients,
      clientJson: options.clientJson ?? ((j) => j),
    });
    send(res, 200, JSON.stringify(result), json);
  } else if (kind === 'trigger' && name !== undefined) {
    const call = JSON.parse(body) as TriggerCall;
    const result = await runTrigger(name, call, {
      verbose: options.verbose,
      clientJson: options.clientJson ?? ((j) => j),
    });
    send(res, 200, JSON.stringify(result), json);
  } else if (kind === 'client-binding' && name === undefined) {
    const binding = parseClientBinding(body);
    received.json = body;
    send(res, 200, '{}', json);
    // The launcher names the endpoint's port in its ready message; the hub is said here.
    log(
      `durable client binding received (hub ${binding.taskHubName}${options.verbose ? `, rpc ${binding.rpcBaseUrl}` : ''})`,
    );
    options.onClientBinding(binding);
  } else {
    send(res, 404, '{}', json);
  }
}

export function createEngineEndpoint(options: EngineEndpointOptions): http.Server {
  const received: { json?: string } = {};
  return http.createServer((req, res) => {
    handle(req, res, options, received).catch((err: unknown) => {
      log(`internal endpoint error: ${errorParts(err).stack}`);
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ ok: false, message: errorParts(err).message }), json);
    });
  });
}
