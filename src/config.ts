/**
 * App settings, read once, validated, with defaults. A bad value is a deployment mistake: it is
 * reported with the setting's name rather than silently replaced.
 */
import { engineRefusesRunningDuplicates } from './durable/hostSettings';
import type { Env } from './env';
import { parseStorageConnection, type StorageConnection } from './storage/connection';

export interface SingletonConfig {
  /** Largest accepted request body (orchestration input), in bytes. */
  readonly maxInputBytes: number;
  /** Blob container holding one lease blob per (task hub, instance ID). */
  readonly lockContainer: string;
  /** How long a start waits for another start of the same ID to finish. */
  readonly lockWaitMs: number;
  /** Lease length; a crashed holder's lock frees itself after this long. */
  readonly lockLeaseSeconds: number;
  /** Bound on each call to lock storage and on each durable client call. */
  readonly backendTimeoutMs: number;
  /** How long `onConflict=restart` waits for the terminated instance to end. */
  readonly restartTimeoutMs: number;
  /**
   * How long a signal to an orchestrator that acknowledges signals waits, under the lock, for its
   * run to read the event before answering 503 unconfirmed (`SINGLETON_SIGNAL_RECEIPT_WAIT_MS`).
   */
  readonly signalReceiptWaitMs: number;
  /**
   * How often a scheduler with a waiting tick, or watching its last run for a failure, looks again
   * (`SINGLETON_SCHEDULE_POLL_SECONDS`, 10).
   */
  readonly schedulePollMs: number;
  /** How long the answer to a request with an `Idempotency-Key` is replayed for the same key. */
  readonly idempotencyTtlSeconds: number;
  /** Where the lock lives: the app's own storage account. */
  readonly storage: StorageConnection;
  /** False when the Durable host is set to overwrite running instances (`AnyState`). */
  readonly engineRefusesRunningDuplicates: boolean;
  /**
   * The origin of the check-status links (`SINGLETON_LINK_ORIGIN`, else the app's own host name,
   * `WEBSITE_HOSTNAME`); `undefined` only where neither is set (a local run), where the links
   * follow the request.
   */
  readonly linkOrigin: string | undefined;
  /**
   * Which links a 202 or 200 carries (`SINGLETON_LINKS`): `extension`, the Durable extension's
   * (the sample's, with its system key), or `app`, this app's own operator routes (no key in
   * them: the caller's function key opens them).
   */
  readonly links: 'app' | 'extension';
  /** Whether the operator's status and list show input and output (`SINGLETON_STATUS_SHOW_INPUT`). */
  readonly statusShowsInput: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`App setting ${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/** `SINGLETON_MAX_INPUT_BYTES` when unset: 256 KiB. */
export const DEFAULT_MAX_INPUT_BYTES = 262_144;

// Azure's container naming rules.
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * Where the check-status links point. Not the request's Host header, which a proxy may rewrite
 * (the links would then name a host the caller cannot reach) and a caller may set: the configured
 * origin, or the app's own host name, which the platform sets (Core Tools: `localhost:7071`).
 */
function linkOrigin(env: Env): string | undefined {
  const configured = env.SINGLETON_LINK_ORIGIN?.trim();
  if (configured) {
    const url = URL.canParse(configured) ? new URL(configured) : undefined;
    if (
      !url ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.username ||
      url.password ||
      url.pathname !== '/' ||
      url.search ||
      url.hash
    ) {
      throw new ConfigError(
        'App setting SINGLETON_LINK_ORIGIN must be an http or https origin such as https://jobs.example.com, without a path, query or user name.',
      );
    }
    return url.origin;
  }
  const host = env.WEBSITE_HOSTNAME?.trim();
  // durable-functions treats 0.0.0.0 as unset too (getClient).
  if (!host || host.includes('0.0.0.0')) return undefined;
  const scheme = LOOPBACK_HOST.test(host) ? 'http' : 'https';
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    throw new ConfigError('App setting WEBSITE_HOSTNAME is not a host name.');
  }
}

/** One of `allowed` (case-insensitive), the first when unset. */
function oneOf<T extends string>(env: Env, name: string, allowed: readonly [T, ...T[]]): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return allowed[0];
  const found = allowed.find((value) => value === raw);
  if (found === undefined) {
    throw new ConfigError(`App setting ${name} must be one of ${allowed.join(', ')}.`);
  }
  return found;
}

export function loadConfig(env: Env, hostJson?: unknown): SingletonConfig {
  const lockContainer = env.SINGLETON_LOCK_CONTAINER?.trim() || 'singleton-locks';
  if (!CONTAINER_NAME.test(lockContainer)) {
    throw new ConfigError(
      `App setting SINGLETON_LOCK_CONTAINER must be a valid blob container name (3-63 lowercase letters, digits and single hyphens).`,
    );
  }
  return {
    maxInputBytes: integer(
      env,
      'SINGLETON_MAX_INPUT_BYTES',
      DEFAULT_MAX_INPUT_BYTES,
      0,
      16 * 1024 * 1024,
    ),
    lockContainer,
    lockWaitMs: integer(env, 'SINGLETON_LOCK_WAIT_MS', 10_000, 0, 120_000),
    lockLeaseSeconds: integer(env, 'SINGLETON_LOCK_LEASE_SECONDS', 15, 15, 60),
    backendTimeoutMs: integer(env, 'SINGLETON_BACKEND_TIMEOUT_MS', 5_000, 100, 60_000),
    restartTimeoutMs: integer(env, 'SINGLETON_RESTART_TIMEOUT_MS', 30_000, 0, 300_000),
    signalReceiptWaitMs: integer(env, 'SINGLETON_SIGNAL_RECEIPT_WAIT_MS', 10_000, 0, 60_000),
    schedulePollMs: integer(env, 'SINGLETON_SCHEDULE_POLL_SECONDS', 10, 1, 3_600) * 1000,
    idempotencyTtlSeconds: integer(env, 'SINGLETON_IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 2_592_000),
    storage: parseStorageConnection(env, 'AzureWebJobsStorage'),
    engineRefusesRunningDuplicates: engineRefusesRunningDuplicates(env, hostJson),
    linkOrigin: linkOrigin(env),
    links: oneOf(env, 'SINGLETON_LINKS', ['extension', 'app'] as const),
    statusShowsInput:
      oneOf(env, 'SINGLETON_STATUS_SHOW_INPUT', ['false', 'true'] as const) === 'true',
  };
}
