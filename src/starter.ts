/**
 * What the singleton starter needs for the life of the process, built once from the app settings:
 * its settings, the lock, the idempotency records (one blob client, reused across invocations) and
 * the conflict hints. A bad setting does not
 * fail the app's load: it is kept and reported, naming the setting, on each request that needs it.
 */
import { ConfigError, loadConfig, type SingletonConfig } from './config';
import type { Env } from './env';
import type { IdempotencyStore } from './idempotency/ports';
import { ConflictHints } from './singleton/conflictHints';
import type { SingletonLock } from './singleton/ports';
import { BlobIdempotencyStore } from './storage/blobIdempotencyStore';
import { BlobLeaseLock } from './storage/blobLeaseLock';
import { createBlobServiceClient } from './storage/blobService';
import { StorageConnectionError } from './storage/connection';
import { loadTelemetrySettings } from './telemetry/settings';
import { StartTelemetry } from './telemetry/startTelemetry';

export type Starter =
  | {
      readonly ok: true;
      readonly config: SingletonConfig;
      readonly lock: SingletonLock;
      /** Records of requests with an `Idempotency-Key`, beside the locks. */
      readonly idempotency: IdempotencyStore;
      readonly telemetry: StartTelemetry;
      readonly conflictHints: ConflictHints;
    }
  | { readonly ok: false; readonly misconfiguration: string };

export function createStarter(env: Env, hostJson: unknown): Starter {
  let config: SingletonConfig;
  let telemetry: StartTelemetry;
  try {
    config = loadConfig(env, hostJson);
    telemetry = new StartTelemetry(loadTelemetrySettings(env));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StorageConnectionError) {
      return { ok: false, misconfiguration: error.message };
    }
    throw error;
  }
  const blobService = createBlobServiceClient(config.storage, config.backendTimeoutMs);
  const lock = new BlobLeaseLock(blobService, config.lockContainer, {
    leaseSeconds: config.lockLeaseSeconds,
    timeoutMs: config.backendTimeoutMs,
  });
  const idempotency = new BlobIdempotencyStore(blobService, config.lockContainer, {
    timeoutMs: config.backendTimeoutMs,
  });
  return { ok: true, config, lock, idempotency, telemetry, conflictHints: new ConflictHints() };
}
