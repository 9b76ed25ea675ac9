/**
 * A loopback stand-in for the Durable extension's HTTP API (the local RPC endpoint the Node client
 * calls), answering as the extension does: 404 with an empty body for an unknown ID, 202/200
 * status bodies, 400 for an unknown function, "already exists" for a duplicate start (409 as
 * measured on the local endpoint of extension 3.19; 500 per its public webhook docs). Its
 * duplicate check is deliberately non-atomic — read, delay, write — like the Azure Storage backend.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSignal, receiptsIn, withReceipt } from '../../src/singleton/signalReceipt';
import { isRunning, type RuntimeStatus } from '../../src/singleton/statuses';

export interface FakeInstance {
  name: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  /** As the extension reports it: whole seconds. */
  createdTime: string;
  /** What its run set as custom status (signal receipts: src/singleton/signalReceipt.ts). */
  customStatus?: unknown;
}

/** Now, in the extension's format (whole seconds, UTC). */
function createdNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface AcceptedStart {
  name: string;
  instanceId: string;
  input: unknown;
}

export type FakeMode = 'normal' | 'error500' | 'error500Starts' | 'hang' | 'hangStarts';

export class FakeExtension {
  readonly instances = new Map<string, FakeInstance>();
  /** Every start the fake answered with 202: what callers were told had started. */
  readonly acceptedStarts: AcceptedStart[] = [];
  readonly requests: { method: string; path: string }[] = [];
  mode: FakeMode = 'normal';
  /**
   * What a run does with a sealed signal (src/singleton/signalReceipt.ts): `reads` it, listing its
   * ID in custom status 30 ms after the raise; `endsUnread` completes without reading it (once,
   * then back to `reads`); `never` reads it.
   */
  signalReading: 'reads' | 'endsUnread' | 'never' = 'reads';
  /** Events raised to running instances, in order. */
  readonly raisedEvents: { instanceId: string; eventName: string; data: unknown }[] = [];
  /** Instances purged, in order. */
  readonly purged: string[] = [];
  listCalls = 0;
  /** The window between the duplicate check's read and its write. */
  duplicateCheckDelayMs = 0;
  /** The status of a duplicate-start refusal: 409 measured on extension 3.19's local endpoint. */
  duplicateStatus: 409 | 500 = 409;
  /**
   * Instances a start sees but the next N status reads do not: a start that happened between a
   * reader's check and its own start. N may be Infinity.
   */
  readonly hiddenReads = new Map<string, number>();
  /** How long a terminated instance takes to reach Terminated; Infinity: it never does. */
  terminateDelayMs = 0;

  private server?: Server;
  private readonly hung = new Set<ServerResponse>();
  private readonly orchestrators: Set<string>;

  constructor(orchestrators: string[]) {
    this.orchestrators = new Set(orchestrators.map((n) => n.toLowerCase()));
  }

  get rpcBaseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/durabletask/`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Back to a healthy stand-in with immediate terminations; instances and starts are kept. */
  reset(): void {
    this.signalReading = 'reads';
    this.mode = 'normal';
    this.duplicateStatus = 409;
    this.terminateDelayMs = 0;
    this.requests.length = 0;
  }

  seed(
    instanceId: string,
    name: string,
    runtimeStatus: RuntimeStatus,
    input: unknown = null,
    createdTime = '2026-11-28T00:00:00Z',
  ): void {
    this.instances.set(instanceId, { name, runtimeStatus, input, createdTime });
  }

  startsOf(instanceId: string): AcceptedStart[] {
    return this.acceptedStarts.filter((s) => s.instanceId === instanceId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? '', path: url.pathname });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');

    const isStart = req.method === 'POST' && url.pathname.startsWith('/durabletask/orchestrators/');
    if (this.mode === 'hang' || (this.mode === 'hangStarts' && isStart)) {
      this.hung.add(res);
      return;
    }
    if (this.mode === 'error500' || (this.mode === 'error500Starts' && isStart)) {
      // The extension's text may name the instance: what a redacted log must not repeat.
      return send(res, 500, {
        Message: 'Something went wrong while processing your request',
        ExceptionMessage: `Simulated failure at ${url.pathname}`,
      });
    }

    // As measured on the extension: `+` in a path reads as a space, even when sent as `%2B`.
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map((part) => decodeURIComponent(part).replace(/\+/g, ' '));
    if (parts[0] !== 'durabletask') return send(res, 404);
    const [, resource, a, b, c] = parts;

    if (req.method === 'POST' && resource === 'orchestrators' && a && b)
      return this.startNew(res, a, b, body);
    if (req.method === 'GET' && resource === 'instances' && !a) return this.list(req, res, url);
    if (req.method === 'GET' && resource === 'instances' && a && !b) return this.status(res, a);
    if (req.method === 'DELETE' && resource === 'instances' && a && !b) return this.purge(res, a);
    if (req.method === 'POST' && resource === 'instances' && a && b === 'raiseEvent' && c)
      return this.raise(res, a, c, body);
    if (req.method === 'POST' && resource === 'instances' && a && b === 'terminate' && !c)
      return this.terminate(res, a);
    return send(res, 404);
  }

  private async startNew(
    res: ServerResponse,
    name: string,
    instanceId: string,
    body: string,
  ): Promise<void> {
    if (!this.orchestrators.has(name.toLowerCase())) {
      return send(res, 400, {
        Message: 'One or more of the arguments submitted is incorrect',
        ExceptionMessage: `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: No orchestrator functions are currently registered!`,
      });
    }
    let input: unknown = null;
    if (body !== '') {
      try {
        input = JSON.parse(body);
      } catch {
        return send(res, 400, 'Invalid JSON content');
      }
      // The extension reads the body with Json.NET's default MaxDepth (64 nested containers).
      if (nestingDepth(input) > 64) {
        return send(res, 400, {
          Message: 'Invalid JSON content',
          ExceptionMessage: "The reader's MaxDepth of 64 has been exceeded.",
        });
      }
    }
    // Non-atomic duplicate check, as on the Azure Storage backend: read, (enqueue), write.
    const existing = this.instances.get(instanceId);
    if (existing && isRunning(existing.runtimeStatus)) {
      const message = `An Orchestration instance with the status ${existing.runtimeStatus} already exists.`;
      return send(
        res,
        this.duplicateStatus,
        this.duplicateStatus === 409
          ? { Message: message }
          : {
              Message: 'Something went wrong while processing your request',
              ExceptionMessage: message,
            },
      );
    }
    if (this.duplicateCheckDelayMs > 0) await sleep(this.duplicateCheckDelayMs);
    this.instances.set(instanceId, {
      name,
      runtimeStatus: 'Pending',
      input,
      createdTime: createdNow(),
    });
    this.acceptedStarts.push({ name, instanceId, input });
    send(res, 202, { id: instanceId });
  }

  private status(res: ServerResponse, instanceId: string): void {
    const instance = this.instances.get(instanceId);
    const hidden = this.hiddenReads.get(instanceId) ?? 0;
    if (hidden > 0) this.hiddenReads.set(instanceId, hidden - 1);
    if (!instance || hidden > 0) return send(res, 404);
    const { name, runtimeStatus, input, createdTime } = instance;
    send(res, isRunning(runtimeStatus) ? 202 : 200, {
      name,
      instanceId,
      runtimeStatus,
      input,
      customStatus: instance.customStatus ?? null,
      output: null,
      createdTime,
      lastUpdatedTime: createdTime,
    });
  }

  /**
   * The extension's listing: `instanceIdPrefix`, `runtimeStatus`, `createdTimeFrom/To`, `top`,
   * pages by `x-ms-continuation-token`: the next page starts at the ID it names, as measured on
   * extension 3.19 (its token is the next instance ID, base64), so instances that change or go
   * between pages shift nothing; a token it cannot read is a 400 here (the extension answers an
   * empty page). IDs in order, as the Azure Storage backend's partition keys list them.
   */
  private list(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const prefix = q.get('instanceIdPrefix') ?? '';
    const statuses = q.get('runtimeStatus')?.split(',');
    const from = q.get('createdTimeFrom');
    const to = q.get('createdTimeTo');
    const top = Number(q.get('top') ?? '100');
    let startAt = '';
    const token = req.headers['x-ms-continuation-token'];
    if (typeof token === 'string') {
      try {
        startAt = (JSON.parse(token) as { next: string }).next;
      } catch {
        return send(res, 400, { Message: 'Invalid continuation token' });
      }
      if (typeof startAt !== 'string') return send(res, 400);
    }
    this.listCalls += 1;
    const matching = [...this.instances.entries()]
      .filter(([id]) => id.startsWith(prefix))
      .filter(([, i]) => !statuses || statuses.includes(i.runtimeStatus))
      .filter(([, i]) => !from || Date.parse(i.createdTime) >= Date.parse(from))
      .filter(([, i]) => !to || Date.parse(i.createdTime) <= Date.parse(to))
      .filter(([id]) => id >= startAt)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = matching.slice(0, top);
    const next = matching[top]?.[0];
    const body = page.map(([instanceId, { name, runtimeStatus, input, createdTime }]) => ({
      name,
      instanceId,
      runtimeStatus,
      input: q.get('showInput') === 'true' ? input : null,
      customStatus: null,
      output: null,
      createdTime,
      lastUpdatedTime: createdTime,
    }));
    res.writeHead(200, {
      'Content-Type': 'application/json',
      ...(next !== undefined && { 'x-ms-continuation-token': JSON.stringify({ next }) }),
    });
    res.end(JSON.stringify(body));
  }

  /** As the extension answers: 202 for a running instance, 410 once it has ended, 404 for none. */
  private raise(res: ServerResponse, instanceId: string, eventName: string, body: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance) return send(res, 404);
    if (!isRunning(instance.runtimeStatus)) return send(res, 410);
    const data: unknown = body === '' ? null : JSON.parse(body);
    this.raisedEvents.push({ instanceId, eventName, data });
    send(res, 202);
    // What the run does with a sealed signal, a moment after the engine took it.
    const { id } = openSignal(data);
    if (id === undefined || this.signalReading === 'never') return;
    const reading = this.signalReading;
    if (reading === 'endsUnread') this.signalReading = 'reads';
    setTimeout(() => {
      if (reading === 'endsUnread') {
        instance.runtimeStatus = 'Completed';
        return;
      }
      const receipts = withReceipt(receiptsIn(instance.customStatus), id);
      instance.customStatus = { receivedSignals: receipts };
    }, 30);
  }

  private purge(res: ServerResponse, instanceId: string): void {
    if (!this.instances.delete(instanceId)) return send(res, 404);
    this.purged.push(instanceId);
    send(res, 200, { instancesDeleted: 1 });
  }

  private terminate(res: ServerResponse, instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance) return send(res, 404);
    if (!isRunning(instance.runtimeStatus)) return send(res, 410);
    if (Number.isFinite(this.terminateDelayMs)) {
      setTimeout(() => (instance.runtimeStatus = 'Terminated'), this.terminateDelayMs);
    }
    send(res, 202);
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(text);
}

function nestingDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Object.values(value as object);
  return 1 + Math.max(0, ...children.map(nestingDepth));
}
