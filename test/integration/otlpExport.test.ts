/**
 * The export leaves the process: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the starter's spans and
 * metrics reach an OTLP/HTTP receiver (a loopback server standing in for a collector or the Aspire
 * dashboard) as protobuf posts on /v1/traces and /v1/metrics. The app side runs in a plain Node
 * process (otlpExport.driver.ts), as the exporters load `http` in a way jest's sandbox refuses.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

interface Post {
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

const root = path.resolve(__dirname, '..', '..');
const received: Post[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks),
    });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});

beforeAll(() => new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise((resolve) => receiver.close(resolve)));

function runDriver(env: Record<string, string>): Promise<{ stdout: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.APPLICATIONINSIGHTS_CONNECTION_STRING;
  return promisify(execFile)(
    process.execPath,
    ['-r', './test/support/registerTs.js', 'test/integration/otlpExport.driver.ts'],
    { cwd: root, env: childEnv, timeout: 60_000 },
  );
}

/** Every post to `path`, as one buffer to search for names (protobuf keeps strings as UTF-8). */
function postedTo(urlPath: string): { contentTypes: string[]; bytes: Buffer } {
  const posts = received.filter((p) => p.path === urlPath);
  return {
    contentTypes: [...new Set(posts.map((p) => p.contentType ?? ''))],
    bytes: Buffer.concat(posts.map((p) => p.body)),
  };
}

function missing(bytes: Buffer, names: string[]): string[] {
  return names.filter((name) => !bytes.includes(name));
}

it('sends the start spans and the metrics to the OTLP endpoint', async () => {
  const { port } = receiver.address() as AddressInfo;

  const { stdout } = await runDriver({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });

  expect(JSON.parse(stdout)).toEqual({ destinations: ['otlp'] });
  const traces = postedTo('/v1/traces');
  expect(traces.contentTypes).toEqual(['application/x-protobuf']);
  expect(
    missing(traces.bytes, [
      'durable-singleton-starter',
      'singleton.start',
      'singleton.instances.status',
      'singleton.lock.acquire',
      'singleton.instances.start',
      'singleton.lock.release',
      'singleton.outcome',
      'started',
      'conflict',
      'new-id',
      'running-id',
    ]),
  ).toEqual([]);
  const metrics = postedTo('/v1/metrics');
  expect(metrics.contentTypes).toEqual(['application/x-protobuf']);
  expect(
    missing(metrics.bytes, [
      'singleton.start.outcomes',
      'singleton.start.duration',
      'singleton.lock.wait.duration',
    ]),
  ).toEqual([]);
}, 60_000);
