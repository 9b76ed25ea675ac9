/**
 * Loopback stand-ins for where telemetry goes, capturing every post: an OTLP/HTTP receiver (a
 * collector or the Aspire dashboard), or, over TLS, Application Insights ingestion together with
 * the App Service managed identity endpoint (`IDENTITY_ENDPOINT`) the Entra credential asks for a
 * token. And the app side: the export driver, run in a plain Node process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** The starter's span and metric names: what a receiver must find. */
export const SPAN_NAMES = [
  'singleton.start',
  'singleton.lock.acquire',
  'singleton.instances.start',
  'singleton.lock.release',
];
export const METRIC_NAMES = [
  'singleton.start.outcomes',
  'singleton.start.duration',
  'singleton.lock.wait.duration',
];

/** The token the identity endpoint hands out. */
export const TOKEN = 'token-from-the-identity-endpoint';

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(tls?: { key: Buffer; cert: Buffer }): Promise<Receiver> {
  const received: Received[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/msi/')) {
        const expiresOn = String(Math.floor(Date.now() / 1000) + 3600);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ access_token: TOKEN, expires_on: expiresOn, token_type: 'Bearer' }),
          );
      } else if (req.url?.startsWith('/v2')) {
        const items = body.toString().split('\n').filter(Boolean).length;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ itemsReceived: items, itemsAccepted: items, errors: [] }));
      } else {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A throwaway self-signed certificate for 127.0.0.1 (openssl, as on the CI image). */
export async function selfSignedCertificate(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-tls-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  const pair = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true });
  return pair;
}

const root = path.resolve(__dirname, '..', '..');

/**
 * Runs test/integration/telemetryExport.driver.ts with `env` (and none of this process's
 * telemetry settings); resolves to the destinations it set up.
 */
export async function runExportDriver(env: Record<string, string>): Promise<string[]> {
  return (await runDriver<{ destinations: string[] }>('telemetryExport.driver.ts', env))
    .destinations;
}

/** Runs `test/integration/{driver}` in a plain Node process; its last stdout line is its answer. */
export async function runDriver<T>(driver: string, env: Record<string, string>): Promise<T> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(childEnv)) {
    if (/^(OTEL_|APPLICATIONINSIGHTS_|IDENTITY_)/.test(name)) delete childEnv[name];
  }
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', './test/support/registerTs.js', `test/integration/${driver}`],
    { cwd: root, env: { ...childEnv, ...env }, timeout: 60_000 },
  );
  // The last line is the driver's answer; @azure/functions may log to stdout before it.
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/** What was posted to paths starting with `prefix`, bodies joined, to search for names. */
export function postedTo(
  received: Received[],
  prefix: string,
): { contentTypes: string[]; text: string; authorizations: string[] } {
  const posts = received.filter((p) => p.method === 'POST' && p.path.startsWith(prefix));
  return {
    contentTypes: [...new Set(posts.map((p) => p.headers['content-type'] ?? ''))],
    text: Buffer.concat(posts.map((p) => p.body)).toString('latin1'),
    authorizations: [...new Set(posts.map((p) => p.headers.authorization ?? 'none'))],
  };
}

export function missing(text: string, names: string[]): string[] {
  return names.filter((name) => !text.includes(name));
}
