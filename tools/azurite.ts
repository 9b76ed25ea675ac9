/**
 * Azurite, the storage emulator the tests, the benchmark and the launchers run: its well-known
 * development account, connection strings for it, and its command line.
 */
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuritePorts {
  readonly blob: number;
  readonly queue?: number;
  readonly table?: number;
}

/** The launcher's layout: blob on `base`, queue on `base + 1`, table on `base + 2`. */
export function azuritePorts(base: number): Required<AzuritePorts> {
  return { blob: base, queue: base + 1, table: base + 2 };
}

/** A connection string for the development account on 127.0.0.1, one endpoint per given port. */
export function azuriteConnectionString(ports: AzuritePorts): string {
  const endpoint = (port: number) => `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoint(ports.blob)}`,
    ...(ports.queue === undefined ? [] : [`QueueEndpoint=${endpoint(ports.queue)}`]),
    ...(ports.table === undefined ? [] : [`TableEndpoint=${endpoint(ports.table)}`]),
    '',
  ].join(';');
}

/**
 * The Azurite command for these services on loopback: `azurite` for all three, `azurite-blob`
 * for blob only. In memory unless `location` names a folder for its data.
 */
export function azuriteCommand(
  projectRoot: string,
  ports: AzuritePorts,
  location?: string,
): { command: string; args: string[] } {
  const blobOnly = ports.queue === undefined && ports.table === undefined;
  const args = ['--silent', '--disableTelemetry', '--skipApiVersionCheck'];
  if (!blobOnly) args.push('--loose');
  const services: [string, number | undefined][] = [
    ['blob', ports.blob],
    ['queue', ports.queue],
    ['table', ports.table],
  ];
  for (const [service, port] of services) {
    if (port !== undefined)
      args.push(`--${service}Host`, '127.0.0.1', `--${service}Port`, String(port));
  }
  args.push(...(location ? ['--location', location] : ['--inMemoryPersistence']));
  const bin = join(projectRoot, 'node_modules', '.bin', blobOnly ? 'azurite-blob' : 'azurite');
  return { command: bin, args };
}
