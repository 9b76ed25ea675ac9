/**
 * Runs fault proxies and their control endpoint as a process of its own:
 *
 *   node dist/tools/fault-proxy/cli.js [--seed N] [--control PORT] --proxy NAME=PORT:HOST:UPSTREAM_PORT ...
 *
 * PORT 0 picks a free port. Prints one JSON line `{"control": port, "proxies": {name: port}}` when
 * listening; stops on SIGTERM/SIGINT, and with --watch-stdin also when stdin closes (the process
 * that started it and holds the pipe went away, even killed).
 */
import { startControlServer } from './control';
import { startFaultProxy, type FaultProxy } from './faultProxy';

interface ProxySpec {
  name: string;
  port: number;
  upstream: { host: string; port: number };
}

interface Args {
  seed: number;
  control: number;
  watchStdin: boolean;
  specs: ProxySpec[];
}

function parseArgs(argv: readonly string[]): Args {
  let seed = 1;
  let control = 0;
  let watchStdin = false;
  const specs: ProxySpec[] = [];
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--seed':
        seed = Number(value);
        i++;
        break;
      case '--control':
        control = Number(value);
        i++;
        break;
      case '--watch-stdin':
        watchStdin = true;
        break;
      case '--proxy': {
        const match = /^([\w-]+)=(\d+):([^:]+):(\d+)$/.exec(value ?? '');
        if (!match) throw new Error(`--proxy wants NAME=PORT:HOST:UPSTREAM_PORT; got '${value}'.`);
        specs.push({
          name: match[1],
          port: Number(match[2]),
          upstream: { host: match[3], port: Number(match[4]) },
        });
        i++;
        break;
      }
      default:
        throw new Error(`Unknown argument '${argv[i]}'.`);
    }
  }
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer.');
  if (specs.length === 0) throw new Error('At least one --proxy is needed.');
  return { seed, control, watchStdin, specs };
}

async function main(): Promise<void> {
  const { seed, control, watchStdin, specs } = parseArgs(process.argv.slice(2));
  const proxies: FaultProxy[] = [];
  for (const [index, spec] of specs.entries()) {
    proxies.push(
      await startFaultProxy({
        name: spec.name,
        upstream: spec.upstream,
        listen: { port: spec.port },
        // One stream of draws per proxy, all derived from the one seed.
        seed: seed * 1000 + index,
      }),
    );
  }
  const server = await startControlServer(proxies, control);
  process.stdout.write(
    JSON.stringify({
      control: server.port,
      proxies: Object.fromEntries(proxies.map((p) => [p.name, p.port])),
    }) + '\n',
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.all([server.close(), ...proxies.map((p) => p.close())]).then(() =>
      process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (watchStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`fault-proxy: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
