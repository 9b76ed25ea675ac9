/**
 * A counting TCP relay in front of one storage service: it reads the HTTP/1.1 request lines that
 * go up, and counts each request by category (the lock's blobs, the task hub's tables and queues,
 * background polling). It changes nothing and delays nothing; the fault proxy adds the latency.
 */
import net, { type AddressInfo } from 'node:net';

export type Service = 'blob' | 'queue' | 'table';

/** A request line at the start of a chunk, or after the previous request's end. */
const REQUEST_LINE = /(GET|PUT|POST|DELETE|HEAD|MERGE|PATCH|OPTIONS) (\S+) HTTP\/1\.1\r\n/g;

/**
 * What a request is for. `lock`: the singleton lock's blobs. `status` / `instance write`: the task
 * hub's Instances table (the status read, the start's row). `queue send`: a start's message.
 * `history`: orchestration history. `queue poll`, `background`: the engine's own polling and
 * partition leases, which run whatever the starters do.
 */
export function categorize(
  service: Service,
  method: string,
  path: string,
  lockContainer: string,
): string {
  const p = decodeURIComponent(path.split('?')[0] ?? path);
  if (service === 'blob')
    return p.includes(`/${lockContainer}/`) || p.endsWith(`/${lockContainer}`)
      ? 'lock'
      : 'background';
  if (service === 'table') {
    if (/Instances/i.test(p)) return method === 'GET' ? 'status' : `instance ${method}`;
    if (/History/i.test(p)) return 'history';
    return 'other table';
  }
  if (method === 'POST' && p.endsWith('/messages')) return 'queue send';
  if (method === 'GET' && p.endsWith('/messages')) return 'queue poll';
  return 'background';
}

export interface StorageTap {
  readonly port: number;
  /** Requests seen so far, by category (cumulative). */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startStorageTap(
  service: Service,
  upstreamPort: number,
  lockContainer: string,
): Promise<StorageTap> {
  const counts: Record<string, number> = {};
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      for (const [, method, path] of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        const category = categorize(service, method!, path!, lockContainer);
        counts[category] = (counts[category] ?? 0) + 1;
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
