/**
 * What the starter needs for the life of the process: its settings and the lock (one blob client,
 * reused across invocations). Built on first use so a bad setting is reported on the request that
 * needs it, naming the setting, instead of failing the whole app at load.
 */
import { loadConfig, type Env, type SingletonConfig } from './config';
import { readHostJson } from './durable/hostSettings';
import { BlobLeaseLock, type SingletonLock } from './singleton/leaseLock';
import { createBlobServiceClient } from './storage/blobService';

export interface Services {
  readonly config: SingletonConfig;
  readonly lock: SingletonLock;
}

let services: Services | undefined;

export function getServices(env: Env = process.env): Services {
  if (!services) {
    const config = loadConfig(env, readHostJson());
    const blobService = createBlobServiceClient(config.storage, config.backendTimeoutMs);
    const lock = new BlobLeaseLock(blobService, config.lockContainer, {
      leaseSeconds: config.lockLeaseSeconds,
      timeoutMs: config.backendTimeoutMs,
    });
    services = { config, lock };
  }
  return services;
}

/** Forgets the services so the next call reads the settings again (tests change them). */
export function resetServices(): void {
  services = undefined;
}
