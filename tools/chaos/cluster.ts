/**
 * The system under test for the chaos suite: one Azurite, fault proxies in front of its blob,
 * queue and table ports and in front of each instance's Durable extension endpoint, and N app
 * instances (the local host's launcher with LOCAL_HOST_INSTANCES) whose storage connection string
 * points at the proxies. The chaos job records its runs straight to Azurite, past the faults.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { azuriteCommand, azuriteConnectionString, azuritePorts } from '../azurite';
import type { Faults } from '../fault-proxy/faults';
import type { ProxyStats } from '../fault-proxy/faultProxy';

export interface ClusterPorts {
  /** Instance k's front door is frontDoor + k. */
  readonly frontDoor: number;
  /** Instance k's bridge is bridge + k. */
  readonly bridge: number;
  /** blob; +1 queue; +2 table. */
  readonly azurite: number;
  /** The storage proxies: blob, +1 queue, +2 table. */
  readonly storageProxy: number;
  /**
   * Instance k's app reaches its extension endpoint through the proxy on rpcProxy + k (the
   * endpoint's own port is chosen by the extension, and read from the bridge once it runs).
   */
  readonly rpcProxy: number;
  readonly control: number;
}

export interface ClusterOptions {
  readonly root: string;
  readonly instances: number;
  readonly ports: ClusterPorts;
  readonly seed: number;
  /** Where the logs of Azurite, the proxies and the host go. */
  readonly logDir: string;
  readonly log: (message: string) => void;
  /** Compiled function modules loaded beside the app (the chaos job, and the sample starter on demand). */
  readonly extraFunctions: readonly string[];
}

function connectionString(blobPort: number): string {
  return azuriteConnectionString(azuritePorts(blobPort));
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

/** The pids of the processes whose parent is `parent` and whose environment has `name=value`. */
function childrenWithEnv(parent: number, name: string, value: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`${name}=${value}`)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

export class Cluster {
  private readonly children: { name: string; child: ChildProcess }[] = [];
  private host?: ChildProcess;
  private readonly killed = new Set<number>();
  readonly recordStorage: string;
  readonly appStorage: string;

  constructor(private readonly options: ClusterOptions) {
    this.recordStorage = connectionString(options.ports.azurite);
    this.appStorage = connectionString(options.ports.storageProxy);
  }

  frontDoor(instance: number): string {
    return `http://127.0.0.1:${this.options.ports.frontDoor + instance}`;
  }

  /** Instances not killed. */
  living(): number[] {
    return [...Array(this.options.instances).keys()].filter((k) => !this.killed.has(k));
  }

  private spawnLogged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv) {
    const log = createWriteStream(join(this.options.logDir, `chaos-${name}.log`));
    const child = spawn(command, args, {
      cwd: this.options.root,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.children.push({ name, child });
    return child;
  }

  async start(): Promise<void> {
    const { root, ports, instances, seed } = this.options;
    const started = Date.now();
    const azurite = azuriteCommand(root, azuritePorts(ports.azurite));
    this.spawnLogged('azurite', azurite.command, azurite.args, process.env);
    const proxies = [
      `blob=${ports.storageProxy}:127.0.0.1:${ports.azurite}`,
      `queue=${ports.storageProxy + 1}:127.0.0.1:${ports.azurite + 1}`,
      `table=${ports.storageProxy + 2}:127.0.0.1:${ports.azurite + 2}`,
      ...[...Array(instances).keys()].map((k) => `rpc${k}=${ports.rpcProxy + k}:127.0.0.1:1`),
    ];
    this.spawnLogged(
      'proxies',
      process.execPath,
      [
        join(root, 'dist', 'tools', 'fault-proxy', 'cli.js'),
        '--watch-stdin',
        '--seed',
        String(seed),
        '--control',
        String(ports.control),
        ...proxies.flatMap((p) => ['--proxy', p]),
      ],
      process.env,
    );
    await waitFor(
      'Azurite',
      async () =>
        (await Promise.all([0, 1, 2].map((i) => portOpen(ports.azurite + i)))).every(Boolean),
      60_000,
    );
    await waitFor('the fault proxies', () => answers(this.controlUrl('/proxies')), 30_000);
    this.options.log(`Azurite and ${proxies.length} fault proxies up`);

    this.host = this.spawnLogged(
      'host',
      process.execPath,
      [join(root, 'scripts', 'host-local.mjs')],
      {
        ...process.env,
        AzureWebJobsStorage: this.appStorage,
        CHAOS_RECORD_STORAGE: this.recordStorage,
        LOCAL_HOST_INSTANCES: String(instances),
        LOCAL_HOST_PORT: String(ports.frontDoor),
        LOCAL_HOST_BRIDGE_PORT: String(ports.bridge),
        LOCAL_HOST_CLIENT_RPC_PORT: String(ports.rpcProxy),
        LOCAL_HOST_EXTRA_FUNCTIONS: this.options.extraFunctions.join(delimiter),
        // The timer listeners' singleton lock as deployed. The local host runs as Development, like
        // `func start`, where the WebJobs SDK makes that lock 15 s; deployed it is 60 s. With 15 s,
        // an 8 s storage blackhole outlasts its renewal, another instance takes the lock, and the
        // WebJobs SDK ends the engine that lost it (measured: SIGABRT, "Singleton lock renewal
        // failed … LeaseIdMismatchWithLeaseOperation" in scenario h): the cluster is a deployed app.
        AzureFunctionsJobHost__singleton__listenerLockPeriod: '00:01:00',
      },
    );
    await waitFor(
      `${instances} app instances`,
      async () =>
        (await Promise.all(this.living().map((k) => answers(this.frontDoor(k) + '/')))).every(
          Boolean,
        ),
      300_000,
    );
    for (const k of this.living()) {
      const binding = (await (
        await fetch(`http://127.0.0.1:${ports.bridge + k}/client-binding`)
      ).json()) as { rpcBaseUrl: string };
      const port = Number(new URL(binding.rpcBaseUrl).port);
      const response = await fetch(this.controlUrl(`/proxies/rpc${k}/upstream`), {
        method: 'PUT',
        body: JSON.stringify({ host: '127.0.0.1', port }),
      });
      if (!response.ok) throw new Error(`Pointing rpc${k} at ${port}: ${await response.text()}`);
    }
    this.options.log(
      `${instances} app instances ready on ${this.frontDoor(0)}… (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }

  private controlUrl(path: string): string {
    return `http://127.0.0.1:${this.options.ports.control}${path}`;
  }

  async setFaults(proxy: string, faults: Faults): Promise<void> {
    const response = await fetch(this.controlUrl(`/proxies/${proxy}/faults`), {
      method: 'PUT',
      body: JSON.stringify(faults),
    });
    if (!response.ok) throw new Error(`Setting faults on ${proxy}: ${await response.text()}`);
  }

  async setStorageFaults(faults: Faults): Promise<void> {
    await Promise.all(['blob', 'queue', 'table'].map((p) => this.setFaults(p, faults)));
  }

  async proxyStats(): Promise<Record<string, ProxyStats>> {
    const listed = (await (await fetch(this.controlUrl('/proxies'))).json()) as {
      name: string;
      stats: ProxyStats;
    }[];
    return Object.fromEntries(listed.map((p) => [p.name, p.stats]));
  }

  /** SIGKILLs instance k's processes (its engine and its bridge): a crash, no clean-up. */
  kill(instance: number): number[] {
    if (!this.host?.pid) throw new Error('The host is not running.');
    const pids = childrenWithEnv(this.host.pid, 'LOCAL_HOST_INSTANCE', String(instance));
    if (pids.length === 0) throw new Error(`No processes found for instance ${instance}.`);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    this.killed.add(instance);
    return pids;
  }

  async stop(): Promise<void> {
    const exited = (child: ChildProcess) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The host first (it stops its engines and bridges in order), then the proxies and storage.
    for (const { child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const done = await Promise.race([
        exited(child).then(() => true),
        sleep(30_000).then(() => false),
      ]);
      if (!done) child.kill('SIGKILL');
    }
  }
}
