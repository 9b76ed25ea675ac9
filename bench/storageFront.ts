/**
 * The storage the benchmarked host sees, run as a child process of the benchmark (so that its
 * timers do not share an event loop with the load generator): per service, the fault proxy of
 * tools/fault-proxy (latency, switchable) → a counting tap (bench/storageTap) → Azurite.
 *
 * Started with `fork`, argv: blob, queue and table ports of Azurite, and the lock container's
 * name. Sends `{ ready: { blob, queue, table } }` (the proxies' ports), then answers messages:
 * `{ id, latencyMs }` (0: none) and `{ id, counts: true }` with `{ id, result }`.
 */
import { startFaultProxy, type FaultProxy } from '../tools/fault-proxy/faultProxy';
import { startStorageTap, type Service, type StorageTap } from './storageTap';

type Request = { id: number; latencyMs?: number; counts?: boolean };

async function main(): Promise<void> {
  const [blob, queue, table, lockContainer = 'singleton-locks'] = process.argv.slice(2);
  const upstreams: Record<Service, number> = {
    blob: Number(blob),
    queue: Number(queue),
    table: Number(table),
  };
  const taps = new Map<Service, StorageTap>();
  const proxies = new Map<Service, FaultProxy>();
  for (const service of ['blob', 'queue', 'table'] as const) {
    const tap = await startStorageTap(service, upstreams[service], lockContainer);
    taps.set(service, tap);
    proxies.set(
      service,
      await startFaultProxy({ name: service, upstream: { host: '127.0.0.1', port: tap.port } }),
    );
  }
  process.on('message', (message: Request) => {
    if (message.latencyMs !== undefined) {
      const ms = message.latencyMs;
      // About `ms` each way, with ±20 % jitter, on every chunk of every storage request.
      const faults = ms > 0 ? { latency: { minMs: ms * 0.8, maxMs: ms * 1.2 } } : {};
      for (const proxy of proxies.values()) proxy.setFaults(faults);
      process.send!({ id: message.id, result: ms });
    } else if (message.counts) {
      const result: Record<string, number> = {};
      for (const [service, tap] of taps) {
        for (const [category, n] of Object.entries(tap.counts())) {
          result[category] = (result[category] ?? 0) + n;
        }
        result[`${service} requests`] = Object.values(tap.counts()).reduce((a, b) => a + b, 0);
      }
      process.send!({ id: message.id, result });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({
    ready: Object.fromEntries([...proxies].map(([service, proxy]) => [service, proxy.port])),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
