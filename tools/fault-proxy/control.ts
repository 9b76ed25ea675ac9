/**
 * The proxies' control endpoint, so that another process (the chaos runner) can switch faults
 * while they run:
 *   GET  /proxies                   → [{ name, port, upstream, faults, stats }]
 *   PUT  /proxies/{name}/faults     ← faults JSON (replaces them) → { name, faults }
 * Errors are RFC 9457 problems.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultProxy } from './faultProxy';
import { InvalidFaultsError, parseFaults } from './faults';

const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  send(res, status, { type: 'about:blank', title, status, detail }, 'application/problem+json');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new InvalidFaultsError('The body is too large.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new InvalidFaultsError(`The body is not valid JSON: ${(error as Error).message}`);
  }
}

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startControlServer(
  proxies: readonly FaultProxy[],
  port = 0,
): Promise<ControlServer> {
  const byName = new Map(proxies.map((p) => [p.name, p]));
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://control');
      if (url.pathname === '/proxies' && req.method === 'GET') {
        send(
          res,
          200,
          proxies.map((p) => ({
            name: p.name,
            port: p.port,
            upstream: p.upstream,
            faults: p.faults(),
            stats: p.stats(),
          })),
        );
        return;
      }
      const match = /^\/proxies\/([^/]+)\/faults$/.exec(url.pathname);
      if (!match) {
        problem(res, 404, 'Not found', `No route ${req.method} ${url.pathname}.`);
        return;
      }
      const proxy = byName.get(decodeURIComponent(match[1]));
      if (!proxy) {
        problem(res, 404, 'Unknown proxy', `No proxy named '${match[1]}'.`);
        return;
      }
      if (req.method !== 'PUT') {
        problem(res, 405, 'Method not allowed', 'Use PUT to replace the faults.');
        return;
      }
      try {
        proxy.setFaults(parseFaults(await readJson(req)));
        send(res, 200, { name: proxy.name, faults: proxy.faults() });
      } catch (error) {
        if (!(error instanceof InvalidFaultsError)) throw error;
        problem(res, 400, 'Invalid faults', error.message);
      }
    })().catch((error: unknown) => {
      problem(res, 500, 'Control failure', String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
