/**
 * Starts a private Azurite blob service for a test run (the real emulator, from devDependencies),
 * on its own port so it never collides with a developer's Azurite or the local host's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The port the run's Azurite listens on: chosen free by the global setup, read by the tests. */
export function azuriteBlobPort(): number {
  const port = Number(process.env.TEST_AZURITE_BLOB_PORT);
  if (!port)
    throw new Error('TEST_AZURITE_BLOB_PORT is not set: is the jest global setup configured?');
  return port;
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Azurite's well-known development account.
const ACCOUNT = 'devstoreaccount1';
const KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(port = azuriteBlobPort()): string {
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startAzurite(port: number): Promise<ChildProcess> {
  const bin = join(__dirname, '..', '..', 'node_modules', '.bin', 'azurite-blob');
  const child = spawn(
    bin,
    [
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`Azurite did not start on port ${port}.`);
    }
    await sleep(100);
  }
  return child;
}
