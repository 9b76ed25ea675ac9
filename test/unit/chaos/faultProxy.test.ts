/**
 * The fault proxy on loopback: a small upstream that answers each request chunk with `ok:<chunk>`,
 * and clients that send one request and wait for the answer or the connection's end.
 */
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlServer } from '../../../tools/fault-proxy/control';
import { startFaultProxy, type FaultProxy } from '../../../tools/fault-proxy/faultProxy';
import { parseFaults } from '../../../tools/fault-proxy/faults';

interface Upstream {
  port: number;
  received: string[];
  connections: number;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const sockets = new Set<net.Socket>();
  const upstream = {
    port: 0,
    received: [] as string[],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((socket) => {
    upstream.connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      upstream.received.push(chunk.toString());
      socket.write(`ok:${chunk.toString()}`);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.port = (server.address() as AddressInfo).port;
  return upstream;
}

interface Exchange {
  answer: string;
  error?: string;
}

/** Sends `request`, then waits for `expectBytes` of answer, or the connection's end or error. */
function exchange(port: number, request: string, expectBytes = 3 + request.length) {
  const socket = net.connect(port, '127.0.0.1');
  const done = new Promise<Exchange>((resolve) => {
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.length >= expectBytes) {
        socket.destroy();
        resolve({ answer });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ answer, error: error.code }));
    socket.on('close', () => resolve({ answer }));
  });
  socket.write(request);
  return { socket, done };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

let upstream: Upstream;
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  upstream = await startUpstream();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await upstream.close();
});

const start = (seed = 7) =>
  startFaultProxy({ name: 'p', upstream: { host: '127.0.0.1', port: upstream.port }, seed });

test('without faults, bytes pass both ways and are counted', async () => {
  proxy = await start();
  const { done } = exchange(proxy.port, 'hello');
  expect(await done).toEqual({ answer: 'ok:hello' });
  expect(proxy.stats()).toMatchObject({
    connections: 1,
    bytesUpstream: 5,
    bytesDownstream: 8,
    delayedChunks: 0,
    connectionResets: 0,
    answerResets: 0,
  });
});

test('latency delays the answer by at least the minimum and keeps chunks in order', async () => {
  proxy = await start();
  proxy.setFaults({ latency: { minMs: 100, maxMs: 140, direction: 'downstream' } });
  const sentAt = Date.now();
  const { done } = exchange(proxy.port, 'slow');
  expect(await done).toEqual({ answer: 'ok:slow' });
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(100);

  // Jittered delays per chunk must not reorder a stream.
  proxy.setFaults({ latency: { minMs: 0, maxMs: 40 } });
  const parts = Array.from({ length: 20 }, (_, i) => `<${i}>`);
  const expected = parts.map((p) => `ok:${p}`).join('');
  const socket = net.connect(proxy.port, '127.0.0.1');
  let answer = '';
  const complete = new Promise<void>((resolve) =>
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.length >= expected.length) resolve();
    }),
  );
  for (const part of parts) {
    socket.write(part);
    await until(() => upstream.received.join('').includes(part));
  }
  await complete;
  socket.destroy();
  expect(answer).toBe(expected);
  expect(proxy.stats().delayedChunks).toBeGreaterThan(0);
});

test('a per-connection reset drops the connection before anything reaches the upstream', async () => {
  proxy = await start();
  proxy.setFaults({ resets: { perConnection: 1 } });
  const result = await exchange(proxy.port, 'lost').done;
  expect(result.answer).toBe('');
  expect(proxy.stats().connectionResets).toBe(1);
  expect(upstream.connections).toBe(0);
});

test('an answer reset lets the request land and loses its answer', async () => {
  proxy = await start();
  proxy.setFaults({ resets: { perAnswer: 1 } });
  const result = await exchange(proxy.port, 'landed').done;
  expect(result).toEqual({ answer: '', error: 'ECONNRESET' });
  expect(upstream.received).toEqual(['landed']);
  expect(proxy.stats().answerResets).toBe(1);
});

test('the blackhole swallows until switched off, then resets what it held; new connections work again', async () => {
  proxy = await start();
  const before = exchange(proxy.port, 'old'); // an open, pooled connection
  expect(await before.done).toEqual({ answer: 'ok:old' });

  proxy.setFaults({ blackhole: true });
  const held = exchange(proxy.port, 'swallowed');
  const p = proxy;
  await until(() => p.stats().swallowedBytes >= 'swallowed'.length);
  expect(upstream.received).toEqual(['old']);

  proxy.setFaults({});
  expect(await held.done).toEqual({ answer: '', error: 'ECONNRESET' });
  expect(await exchange(proxy.port, 'after').done).toEqual({ answer: 'ok:after' });
  expect(proxy.stats()).toMatchObject({ blackholedConnections: 1, swallowedBytes: 9 });
});

test('the blackhole also swallows on a connection opened before it', async () => {
  proxy = await start();
  const socket = net.connect(proxy.port, '127.0.0.1');
  const answers: string[] = [];
  socket.on('data', (chunk) => answers.push(chunk.toString()));
  const closed = new Promise<string | undefined>((resolve) => {
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    socket.on('close', () => resolve(undefined));
  });
  socket.write('first');
  await until(() => answers.length === 1);
  proxy.setFaults({ blackhole: true });
  socket.write('second');
  const p = proxy;
  await until(() => p.stats().swallowedBytes > 0);
  proxy.setFaults({});
  expect(await closed).toBe('ECONNRESET');
  expect(answers).toEqual(['ok:first']);
  expect(upstream.received).toEqual(['first']);
});

test('a matched delay holds back only the requests that contain the pattern', async () => {
  proxy = await start();
  proxy.setFaults({ latency: { minMs: 150, maxMs: 150, match: 'POST /start' } });
  expect(await exchange(proxy.port, 'GET /status').done).toEqual({ answer: 'ok:GET /status' });
  expect(proxy.stats().delayedChunks).toBe(0);
  const sentAt = Date.now();
  expect(await exchange(proxy.port, 'POST /start').done).toEqual({ answer: 'ok:POST /start' });
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(150);
  expect(proxy.stats().delayedChunks).toBe(1);
});

test('a matched blackhole swallows only the calls that contain the pattern', async () => {
  proxy = await start();
  proxy.setFaults({ blackholeMatch: 'POST /start' });
  const held = exchange(proxy.port, 'POST /start');
  const p = proxy;
  await until(() => p.stats().swallowedBytes > 0);
  expect(await exchange(proxy.port, 'GET /status').done).toEqual({ answer: 'ok:GET /status' });
  proxy.setFaults({});
  expect(await held.done).toEqual({ answer: '', error: 'ECONNRESET' });
  expect(upstream.received).toEqual(['GET /status']);
});

test('the same seed draws the same resets', async () => {
  const pattern = async (seed: number) => {
    const p = await start(seed);
    p.setFaults({ resets: { perConnection: 0.5 } });
    const outcomes: boolean[] = [];
    for (let i = 0; i < 16; i++) {
      const before = p.stats().connectionResets;
      await exchange(p.port, `r${i}`).done;
      outcomes.push(p.stats().connectionResets > before);
    }
    await p.close();
    return outcomes;
  };
  const a = await pattern(42);
  expect(await pattern(42)).toEqual(a);
  expect(a).toContain(true);
  expect(a).toContain(false);
});

describe('faults from JSON', () => {
  test('accepts the documented shape', () => {
    expect(
      parseFaults({
        latency: { minMs: 50, maxMs: 200 },
        resets: { perConnection: 0.05, perAnswer: 0.05 },
        blackhole: false,
      }),
    ).toEqual({
      latency: { minMs: 50, maxMs: 200, direction: 'both' },
      resets: { perConnection: 0.05, perAnswer: 0.05 },
      blackhole: false,
    });
  });
  test.each([
    [{ latency: { minMs: 200, maxMs: 50 } }, 'latency.maxMs'],
    [{ resets: { perAnswer: 2 } }, 'resets.perAnswer'],
    [{ blackhole: 'yes' }, 'blackhole'],
    [{ latency: { minMs: 1, maxMs: 2, direction: 'sideways' } }, 'latency.direction'],
    [{ drop: true }, 'unknown field'],
    [[], 'faults must be an object'],
    [{ blackholeMatch: '' }, 'blackholeMatch'],
    [{ latency: { minMs: 1, maxMs: 2, match: 3 } }, 'latency.match'],
  ])('refuses %j', (value, message) => {
    expect(() => parseFaults(value)).toThrow(message);
  });
});

test('the control endpoint switches a proxy faults from another client', async () => {
  proxy = await start();
  const control = await startControlServer([proxy]);
  try {
    const base = `http://127.0.0.1:${control.port}`;
    const put = await fetch(`${base}/proxies/p/faults`, {
      method: 'PUT',
      body: JSON.stringify({ resets: { perConnection: 1 } }),
    });
    expect(put.status).toBe(200);
    await exchange(proxy.port, 'x').done;
    const listed = (await (await fetch(`${base}/proxies`)).json()) as Array<{
      name: string;
      faults: unknown;
      stats: { connectionResets: number };
    }>;
    expect(listed).toMatchObject([
      { name: 'p', faults: { resets: { perConnection: 1 } }, stats: { connectionResets: 1 } },
    ]);
    const bad = await fetch(`${base}/proxies/p/faults`, { method: 'PUT', body: '{"blackhole":1}' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    // Pointed at another upstream, new connections go there.
    const other = await startUpstream();
    await fetch(`${base}/proxies/p/faults`, { method: 'PUT', body: '{}' });
    const moved = await fetch(`${base}/proxies/p/upstream`, {
      method: 'PUT',
      body: JSON.stringify({ host: '127.0.0.1', port: other.port }),
    });
    expect(moved.status).toBe(200);
    expect(await exchange(proxy.port, 'moved').done).toEqual({ answer: 'ok:moved' });
    expect(other.received).toEqual(['moved']);
    expect(upstream.received).toEqual([]);
    await other.close();
    const badUpstream = await fetch(`${base}/proxies/p/upstream`, {
      method: 'PUT',
      body: '{"port":0}',
    });
    expect(badUpstream.status).toBe(400);
    expect((await fetch(`${base}/proxies/nope/faults`, { method: 'PUT', body: '{}' })).status).toBe(
      404,
    );
  } finally {
    await control.close();
  }
});
