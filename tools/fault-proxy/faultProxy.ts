/**
 * A TCP fault proxy for tests: listens on a loopback port, pipes each connection to an upstream,
 * and injects latency (with jitter), resets and a blackhole, switchable while it runs. It knows
 * nothing of the protocol on top, so it sits as well in front of storage as in front of the
 * Durable extension's endpoint. Test tooling only: never deployed (`.funcignore` leaves out tools).
 */
import net, { type AddressInfo } from 'node:net';
import type { Faults } from './faults';
import { seededRandom, type Random } from './random';

export interface FaultProxyOptions {
  /** A name for logs and the control endpoint, e.g. `blob`. */
  readonly name: string;
  readonly upstream: { readonly host: string; readonly port: number };
  /** Default 127.0.0.1 and a free port. */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** Seed of the draws (delays, which connections or answers are reset); default 1. */
  readonly seed?: number;
  readonly faults?: Faults;
}

export interface ProxyStats {
  /** Connections accepted. */
  connections: number;
  /** Connections open now. */
  open: number;
  bytesUpstream: number;
  bytesDownstream: number;
  /** Chunks held back by the latency fault. */
  delayedChunks: number;
  /** Connections reset at accept (resets.perConnection). */
  connectionResets: number;
  /** Answers replaced by a reset after the request went through (resets.perAnswer). */
  answerResets: number;
  /** Connections that swallowed bytes in the blackhole. */
  blackholedConnections: number;
  swallowedBytes: number;
}

export interface FaultProxy {
  readonly name: string;
  readonly port: number;
  readonly upstream: { readonly host: string; readonly port: number };
  faults(): Faults;
  /** Replaces the faults in effect; applies to open connections too, from their next chunk on. */
  setFaults(faults: Faults): void;
  stats(): ProxyStats;
  close(): Promise<void>;
}

type Way = 'upstream' | 'downstream';

interface Connection {
  readonly client: net.Socket;
  upstream?: net.Socket;
  /** A request went up and no answer chunk has come back since. */
  awaitingAnswer: boolean;
  /** It swallowed bytes: its stream is broken, and it is reset when the blackhole ends. */
  poisoned: boolean;
  closed: boolean;
  /** What is still to be delivered each way, in order, with when. */
  readonly queues: Record<Way, Array<{ at: number; action: () => void }>>;
  readonly timers: Set<NodeJS.Timeout>;
}

function emptyStats(): ProxyStats {
  return {
    connections: 0,
    open: 0,
    bytesUpstream: 0,
    bytesDownstream: 0,
    delayedChunks: 0,
    connectionResets: 0,
    answerResets: 0,
    blackholedConnections: 0,
    swallowedBytes: 0,
  };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random: Random = seededRandom(options.seed ?? 1);
  const stats = emptyStats();
  const connections = new Set<Connection>();
  let faults: Faults = options.faults ?? {};

  const roll = (probability: number | undefined) =>
    probability !== undefined && probability > 0 && random() < probability;

  function delayFor(way: Way, chunk: Buffer): number {
    const latency = faults.latency;
    if (!latency) return 0;
    if (latency.match !== undefined) {
      if (way !== 'upstream' || !chunk.includes(latency.match)) return 0;
    } else {
      const direction = latency.direction ?? 'both';
      if (direction !== 'both' && direction !== way) return 0;
    }
    return latency.minMs + random() * (latency.maxMs - latency.minMs);
  }

  function destroy(conn: Connection, reset: boolean): void {
    if (conn.closed) return;
    conn.closed = true;
    for (const timer of conn.timers) clearTimeout(timer);
    conn.timers.clear();
    // A reset (RST) rather than a FIN: the client sees ECONNRESET, as on a dropped connection.
    if (reset) conn.client.resetAndDestroy();
    else conn.client.destroy();
    conn.upstream?.destroy();
    connections.delete(conn);
    stats.open--;
  }

  /**
   * Runs `action` after `delayMs`, never before anything scheduled earlier in the same way: one
   * queue and one timer per way, since timers of different lengths may fire out of order.
   */
  function schedule(conn: Connection, way: Way, delayMs: number, action: () => void): void {
    const queue = conn.queues[way];
    const at = Math.max(Date.now() + delayMs, queue.at(-1)?.at ?? 0);
    queue.push({ at, action });
    if (queue.length === 1) drain(conn, way);
  }

  function drain(conn: Connection, way: Way): void {
    const queue = conn.queues[way];
    while (queue.length > 0 && queue[0].at <= Date.now()) {
      if (conn.closed) return;
      queue[0].action();
      queue.shift();
    }
    if (queue.length === 0 || conn.closed) return;
    const timer = setTimeout(() => {
      conn.timers.delete(timer);
      drain(conn, way);
    }, queue[0].at - Date.now());
    conn.timers.add(timer);
  }

  function swallow(conn: Connection, chunk: Buffer): void {
    if (!conn.poisoned) {
      conn.poisoned = true;
      stats.blackholedConnections++;
    }
    stats.swallowedBytes += chunk.length;
  }

  function forward(conn: Connection, from: net.Socket, to: net.Socket, way: Way): void {
    from.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      const matched =
        way === 'upstream' &&
        faults.blackholeMatch !== undefined &&
        chunk.includes(faults.blackholeMatch);
      if (faults.blackhole || conn.poisoned || matched) {
        swallow(conn, chunk);
        return;
      }
      if (way === 'upstream') {
        conn.awaitingAnswer = true;
        stats.bytesUpstream += chunk.length;
      } else {
        if (conn.awaitingAnswer) {
          conn.awaitingAnswer = false;
          if (roll(faults.resets?.perAnswer)) {
            stats.answerResets++;
            destroy(conn, true);
            return;
          }
        }
        stats.bytesDownstream += chunk.length;
      }
      const delayMs = delayFor(way, chunk);
      if (delayMs > 0) stats.delayedChunks++;
      schedule(conn, way, delayMs, () => to.write(chunk));
    });
    // A half-close follows the data it ends, however delayed.
    from.on('end', () => {
      if (!conn.poisoned) schedule(conn, way, 0, () => to.end());
    });
    from.on('error', () => destroy(conn, true));
    from.on('close', () => {
      if (conn.poisoned) destroy(conn, false);
      else schedule(conn, way, 0, () => destroy(conn, false));
    });
  }

  // Half-open allowed both ways: a client that ends its request still gets the answer.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    stats.connections++;
    stats.open++;
    const conn: Connection = {
      client,
      awaitingAnswer: false,
      poisoned: false,
      closed: false,
      queues: { upstream: [], downstream: [] },
      timers: new Set(),
    };
    connections.add(conn);
    client.on('error', () => destroy(conn, false));
    if (roll(faults.resets?.perConnection)) {
      stats.connectionResets++;
      destroy(conn, true);
      return;
    }
    if (faults.blackhole) {
      // Nothing reaches the upstream; the client waits until its own timeout or the blackhole ends.
      conn.poisoned = true;
      stats.blackholedConnections++;
      client.on('data', (chunk: Buffer) => (stats.swallowedBytes += chunk.length));
      client.on('close', () => destroy(conn, false));
      return;
    }
    const upstream = net.connect({
      port: options.upstream.port,
      host: options.upstream.host,
      allowHalfOpen: true,
    });
    conn.upstream = upstream;
    forward(conn, client, upstream, 'upstream');
    forward(conn, upstream, client, 'downstream');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    name: options.name,
    port,
    upstream: options.upstream,
    faults: () => faults,
    setFaults(next: Faults) {
      faults = next;
      if (!next.blackhole && next.blackholeMatch === undefined) {
        for (const conn of [...connections]) if (conn.poisoned) destroy(conn, true);
      }
    },
    stats: () => ({ ...stats }),
    async close() {
      for (const conn of [...connections]) destroy(conn, false);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
