/**
 * A private Azurite blob service for a test run (the real emulator, from devDependencies), on its
 * own port so it never collides with a developer's Azurite or the local host's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { azuriteCommand, azuriteConnectionString as connectionString } from '../../tools/azurite';
import { waitForPorts } from '../../tools/ports';

export { freePort } from '../../tools/ports';

/** The port the run's Azurite listens on: chosen free by the global setup, read by the tests. */
export function azuriteBlobPort(): number {
  const port = Number(process.env.TEST_AZURITE_BLOB_PORT);
  if (!port)
    throw new Error('TEST_AZURITE_BLOB_PORT is not set: is the jest global setup configured?');
  return port;
}

export function azuriteConnectionString(port = azuriteBlobPort()): string {
  return connectionString({ blob: port });
}

export async function startAzurite(port: number): Promise<ChildProcess> {
  const { command, args } = azuriteCommand(join(__dirname, '..', '..'), { blob: port });
  const child = spawn(command, args, { stdio: 'ignore' });
  if (!(await waitForPorts([port], 20_000, () => child.exitCode !== null))) {
    child.kill();
    throw new Error(`Azurite did not start on port ${port}.`);
  }
  return child;
}
