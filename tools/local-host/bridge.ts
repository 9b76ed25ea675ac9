/**
 * The Node side of the local host, one process:
 *  (a) an internal loopback endpoint the C# engine calls to run orchestrations and activities by name
 *      (`POST /orchestration/{name}`, `POST /activity/{name}`) and to hand over the durable client
 *      binding data the extension produced (`POST /client-binding`);
 *  (b) the front door on :7071, started once the client binding data has arrived: `/api/...` goes to
 *      the app's HTTP functions per their registered route and methods, `/runtime/webhooks/durabletask/...`
 *      is forwarded to the extension's local endpoint.
 * Every function runs through `@azure/functions`' own invocation model (the functions-core stand-in).
 *
 * Environment: LOCAL_HOST_PORT (7071), LOCAL_HOST_BRIDGE_PORT (17072), LOCAL_HOST_EXTRA_FUNCTIONS,
 * LOCAL_HOST_VERBOSE=1 (log every request and app log line).
 */
import http from 'node:http';
import path from 'node:path';
import { readHostJson } from '../../src/durable/hostSettings';
import * as core from '../functions-core/index';
import { loadApp, projectRoot, triggerOf } from './app-loader';

const frontPort = Number(process.env.LOCAL_HOST_PORT ?? 7071);
const bridgePort = Number(process.env.LOCAL_HOST_BRIDGE_PORT ?? 17072);
const verbose = process.env.LOCAL_HOST_VERBOSE === '1';

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} [bridge] ${message}\n`);
}

core.setLogSink((level, category, message) => {
  if (verbose || /^(warning|error|critical)$/i.test(level)) {
    log(`app ${level}: ${message}`);
  }
});

const app = loadApp();
log(
  `loaded ${app.modules.length} module(s), ${app.registrations.size} function(s): ${[...app.registrations.values()].map((r) => r.metadata.name).join(', ')}`,
);

// ---- helpers ----------------------------------------------------------------------------------

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** RPC typed data → JSON text of the value (what the extension stores). */
function typedDataToJson(data: core.RpcTypedData | undefined): string {
  if (!data) return 'null';
  if (typeof data.json === 'string') return data.json;
  if (typeof data.string === 'string') return JSON.stringify(data.string);
  if (data.int !== undefined) return String(data.int);
  if (data.double !== undefined) return String(data.double);
  if (data.bytes !== undefined)
    return JSON.stringify(Buffer.from(data.bytes as Uint8Array).toString('base64'));
  return 'null';
}

function errorParts(err: unknown): { message: string; stack: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack ?? '' };
  return { message: String(err), stack: '' };
}

/** Route values are percent-decoded like the host does; a malformed escape is kept as it came. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function shortMessage(message: string): string {
  const cut = message.indexOf('\n\n$OutOfProcData$');
  return (cut >= 0 ? message.slice(0, cut) : message).split('\n')[0];
}

// ---- (a) internal endpoint for the engine ------------------------------------------------------

let clientBindingJson: string | undefined;
let rpcBaseUrl = 'http://127.0.0.1:17071/durabletask/';

interface HistoryEvent {
  EventType: number;
}
interface OrchestrationState {
  isDone?: boolean;
  actions?: { actionType: number }[][];
  output?: unknown;
  error?: string;
}

async function runOrchestration(name: string, contextJson: string): Promise<object> {
  const reg = core.getRegistration(name);
  const trigger = triggerOf(reg);
  let instanceId = '?';
  let firstEpisode = false;
  try {
    const ctx = JSON.parse(contextJson) as { instanceId?: string; history?: HistoryEvent[] };
    instanceId = ctx.instanceId ?? '?';
    firstEpisode = !(ctx.history ?? []).some((e) => e.EventType === 13);
  } catch {
    /* the orchestrator reports it */
  }
  if (firstEpisode) log(`orchestration ${name} (${instanceId}) started`);
  try {
    const response = await core.invoke(name, {
      inputData: [{ name: trigger?.name ?? 'context', data: { string: contextJson } }],
      triggerMetadata: {},
    });
    const result = typedDataToJson(response.returnValue);
    const state = JSON.parse(result) as OrchestrationState | null;
    const actions = (state?.actions ?? []).flat();
    if (actions.some((a) => a?.actionType === 4)) {
      log(`orchestration ${name} (${instanceId}) continued as new`);
    } else if (state?.isDone) {
      log(`orchestration ${name} (${instanceId}) completed`);
    }
    return { ok: true, result };
  } catch (err) {
    const { message, stack } = errorParts(err);
    log(`orchestration ${name} (${instanceId}) failed: ${shortMessage(message)}`);
    return { ok: false, message, stack };
  }
}

async function runActivity(name: string, inputJson: string, instanceId: string): Promise<object> {
  const reg = core.getRegistration(name);
  const trigger = triggerOf(reg);
  try {
    const response = await core.invoke(name, {
      inputData: [{ name: trigger?.name ?? 'input', data: { string: inputJson } }],
      triggerMetadata: {},
    });
    if (verbose) log(`activity ${name} (${instanceId}) completed`);
    return { ok: true, result: typedDataToJson(response.returnValue) };
  } catch (err) {
    const { message, stack } = errorParts(err);
    log(`activity ${name} (${instanceId}) failed: ${shortMessage(message)}`);
    return { ok: false, message, stack };
  }
}

const internal = http.createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    const body = (await readBody(req)).toString('utf8');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'POST' && parts[0] === 'orchestration' && parts.length === 2) {
      send(res, 200, JSON.stringify(await runOrchestration(parts[1], body)), {
        'content-type': 'application/json',
      });
    } else if (req.method === 'POST' && parts[0] === 'activity' && parts.length === 2) {
      send(
        res,
        200,
        JSON.stringify(
          await runActivity(parts[1], body, url.searchParams.get('instanceId') ?? '?'),
        ),
        { 'content-type': 'application/json' },
      );
    } else if (req.method === 'POST' && parts[0] === 'client-binding') {
      clientBindingJson = body;
      const parsed = JSON.parse(body) as { rpcBaseUrl?: string; taskHubName?: string };
      if (parsed.rpcBaseUrl)
        rpcBaseUrl = parsed.rpcBaseUrl.endsWith('/') ? parsed.rpcBaseUrl : parsed.rpcBaseUrl + '/';
      send(res, 200, '{}', { 'content-type': 'application/json' });
      log(`durable client binding received (hub ${parsed.taskHubName}, rpc ${rpcBaseUrl})`);
      startFrontDoor();
    } else {
      send(res, 404, '{}');
    }
  })().catch((err: unknown) => {
    log(`internal endpoint error: ${errorParts(err).stack}`);
    if (!res.headersSent)
      send(res, 500, JSON.stringify({ ok: false, message: errorParts(err).message }));
  });
});
internal.listen(bridgePort, '127.0.0.1', () =>
  log(`internal endpoint on http://127.0.0.1:${bridgePort}/`),
);

// ---- (b) front door -----------------------------------------------------------------------------

interface Route {
  name: string;
  regex: RegExp;
  paramNames: string[];
  methods: string[] | undefined;
}

/** The host's route prefix for HTTP functions: host.json `extensions.http.routePrefix`, default `api`. */
function routePrefix(): string {
  const hostJson = readHostJson(path.join(projectRoot, 'host.json')) as
    { extensions?: { http?: { routePrefix?: string } } } | undefined;
  const prefix = hostJson?.extensions?.http?.routePrefix;
  return prefix === undefined ? 'api' : prefix.replace(/^\/+|\/+$/g, '');
}

/** ASP.NET-style route template → regex: `{name}`, `{name:constraint}`, `{name?}`, `{*rest}`. */
export function compileRoute(
  template: string,
  prefix: string,
): { regex: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const segments = [prefix, ...template.split('/')].filter((s) => s.length > 0);
  let pattern = '';
  for (const segment of segments) {
    const whole = /^\{(\*?)([A-Za-z0-9_]+)(?::[^}?]*)?(\?)?\}$/.exec(segment);
    if (whole && whole[1]) {
      paramNames.push(whole[2]);
      pattern += '(?:/(.*))?';
    } else if (whole && whole[3]) {
      paramNames.push(whole[2]);
      pattern += '(?:/([^/]+))?';
    } else {
      let seg = '';
      let last = 0;
      const re = /\{([A-Za-z0-9_]+)(?::[^}]*)?\}/g;
      for (let m = re.exec(segment); m; m = re.exec(segment)) {
        seg += segment.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '([^/]+?)';
        paramNames.push(m[1]);
        last = m.index + m[0].length;
      }
      seg += segment.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      pattern += '/' + seg;
    }
  }
  return { regex: new RegExp('^' + pattern + '/?$', 'i'), paramNames };
}

function buildRoutes(): Route[] {
  const prefix = routePrefix();
  const routes: Route[] = [];
  for (const reg of app.registrations.values()) {
    const trigger = triggerOf(reg);
    if (!trigger || trigger.binding.type !== 'httpTrigger') continue;
    const template =
      typeof trigger.binding.route === 'string' && trigger.binding.route
        ? trigger.binding.route
        : reg.metadata.name;
    const { regex, paramNames } = compileRoute(template, prefix);
    const methods = Array.isArray(trigger.binding.methods)
      ? (trigger.binding.methods as string[]).map((m) => m.toUpperCase())
      : undefined;
    routes.push({ name: reg.metadata.name, regex, paramNames, methods });
  }
  return routes;
}

const routes = buildRoutes();
for (const r of routes)
  log(`http function ${r.name}: ${r.methods?.join('|') ?? 'any'} ${r.regex.source}`);

async function serveFunction(
  route: Route,
  match: RegExpExecArray,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<number> {
  const body = await readBody(req);
  const params: Record<string, string> = {};
  route.paramNames.forEach((name, i) => {
    if (match[i + 1] !== undefined) params[name] = safeDecode(match[i + 1]);
  });
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  let reply: core.HttpReply;
  try {
    reply = await core.invokeHttp(
      route.name,
      { method: req.method ?? 'GET', url: url.toString(), headers, body, params },
      clientBindingJson ?? '',
    );
  } catch (err) {
    log(`http function ${route.name} failed: ${errorParts(err).stack}`);
    send(res, 500, '');
    return 500;
  }
  const outHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.headers)) {
    if (k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'transfer-encoding')
      outHeaders[k] = v;
  }
  send(res, reply.status, reply.body, outHeaders);
  return reply.status;
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'upgrade',
  'te',
  'trailer',
]);

async function forwardToExtension(
  rest: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<number> {
  const body = await readBody(req);
  const target = rpcBaseUrl + rest + url.search;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !hopByHop.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const method = req.method ?? 'GET';
  const answer = await fetch(target, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
    redirect: 'manual',
  });
  const payload = Buffer.from(await answer.arrayBuffer());
  const outHeaders: Record<string, string> = {};
  answer.headers.forEach((v, k) => {
    if (!hopByHop.has(k) && k !== 'content-encoding') outHeaders[k] = v;
  });
  send(res, answer.status, payload, outHeaders);
  return answer.status;
}

let frontDoor: http.Server | undefined;

function startFrontDoor(): void {
  if (frontDoor) return;
  frontDoor = http.createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `localhost:${frontPort}`}`);
    const hook = /^\/runtime\/webhooks\/durabletask\/?(.*)$/i.exec(url.pathname);
    let work: Promise<number>;
    if (hook) {
      work = forwardToExtension(hook[1], req, res, url);
    } else {
      const method = (req.method ?? 'GET').toUpperCase();
      let found: { route: Route; match: RegExpExecArray } | undefined;
      for (const route of routes) {
        const match = route.regex.exec(url.pathname);
        if (match && (!route.methods || route.methods.includes(method))) {
          found = { route, match };
          break;
        }
      }
      work = found
        ? serveFunction(found.route, found.match, req, res, url)
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
  frontDoor.keepAliveTimeout = 5000;
  frontDoor.listen(frontPort, () => log(`front door on http://localhost:${frontPort}/`));
}

function shutdown(): void {
  internal.close();
  frontDoor?.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.LOCAL_HOST_WATCH_STDIN === '1') {
  // The launcher holds our stdin open; when it goes away (even killed), stop instead of lingering.
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}
