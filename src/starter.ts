/**
 * The composition root: the app settings → the lock, the Idempotency-Key records, the conflict
 * hints, telemetry and the clock → one `SingletonStarter`, built once per process and shared by
 * every door (HTTP, timer, queue, a caller's own code). A bad setting does not fail the app's
 * load: it is kept, and each start answers `misconfigured`, naming the setting.
 */
import type { DurableClient } from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, type SingletonConfig } from './config';
import { readHostJson } from './durable/hostSettings';
import { listUrlOfClient } from './durable/client';
import { DurableInstances } from './durable/instances';
import { InstanceOperations, type OperatorResult } from './operations/instanceOperations';
import type { QueryValues } from './operations/listQuery';
import { OperationTelemetry } from './telemetry/operationTelemetry';
import { SignalTelemetry } from './telemetry/signalTelemetry';
import { checkSignalRequest, type SignalRequest } from './singleton/request';
import { SignalFlow, type SignalResult } from './singleton/signal';
import type { Env } from './env';
import { DependencyError } from './dependencies/failure';
import { IdempotentStart } from './idempotency/idempotentStart';
import {
  declaredSchedule,
  listSchedules,
  viewSchedule,
  type ScheduleView,
} from './schedules/scheduleOperations';
import { keyedSignal } from './idempotency/signalKey';
import { ConflictHints } from './singleton/conflictHints';
import type { Clock, Logger } from './singleton/ports';
import type { SingletonRequest, SingletonResult } from './singleton/result';
import { SingletonStarter } from './singleton/singletonStarter';
import { StartFlow } from './singleton/start';
import { BlobIdempotencyStore } from './storage/blobIdempotencyStore';
import { BlobLeaseLock } from './storage/blobLeaseLock';
import { createBlobServiceClient } from './storage/blobService';
import { StorageConnectionError } from './storage/connection';
import { loadRedaction, redactInstanceIds, type Redaction } from './redaction';
import { StartTelemetry } from './telemetry/startTelemetry';

/** The process's starter, as the doors see it: a request and the invocation's durable client. */
export interface AppStarter {
  /** The settings, or undefined when one is invalid (then every start answers `misconfigured`). */
  readonly config: SingletonConfig | undefined;
  /** What the doors' own lines and problem bodies do with the ID (`SINGLETON_REDACT_INSTANCE_IDS`). */
  readonly redaction: Redaction;
  start(request: SingletonRequest, client: DurableClient, log: Logger): Promise<SingletonResult>;
  /** Raises an event to the running instance, or starts one that receives it (src/singleton/signal.ts). */
  signal(request: SignalRequest, client: DurableClient, log: Logger): Promise<SignalResult>;
  /** An operator route's request (status, list, terminate, purge) over the same lock and client. */
  operate(request: OperationRequest, client: DurableClient, log: Logger): Promise<OperatorResult>;
  /** The schedules' views: all of them, or the one named (src/schedules/scheduleOperations.ts). */
  schedules(client: DurableClient, log: Logger, name?: string): Promise<SchedulesAnswer>;
}

export type SchedulesAnswer =
  | { readonly kind: 'views'; readonly views: readonly ScheduleView[] }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'unavailable' | 'failed' | 'misconfigured'; readonly detail: string };

export type OperationRequest =
  | {
      readonly operation: 'status' | 'terminate' | 'purge';
      readonly orchestrator: string;
      readonly instanceId: string;
    }
  | {
      readonly operation: 'list' | 'terminateMany' | 'purgeMany';
      readonly orchestrator: string;
      readonly query: QueryValues;
    };

/** How often a signal's wait for its receipt reads the status: a status read is one storage read. */
const SIGNAL_RECEIPT_POLL_MS = 200;

const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export function createStarter(env: Env, hostJson: unknown): AppStarter {
  let config: SingletonConfig;
  let redaction: Redaction;
  try {
    config = loadConfig(env, hostJson);
    redaction = loadRedaction(env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StorageConnectionError) {
      return misconfigured(error.message);
    }
    throw error;
  }
  const blobService = createBlobServiceClient(config.storage, config.backendTimeoutMs);
  const lock = new BlobLeaseLock(blobService, config.lockContainer, {
    leaseSeconds: config.lockLeaseSeconds,
    timeoutMs: config.backendTimeoutMs,
  });
  const store = new BlobIdempotencyStore(blobService, config.lockContainer, {
    timeoutMs: config.backendTimeoutMs,
  });
  const flow = new StartFlow({
    clock: systemClock,
    lockWaitMs: config.lockWaitMs,
    restartTimeoutMs: config.restartTimeoutMs,
    engineRefusesRunningDuplicates: config.engineRefusesRunningDuplicates,
    conflictHints: new ConflictHints(),
  });
  const keyed = new IdempotentStart(flow, {
    store,
    clock: systemClock,
    ttlSeconds: config.idempotencyTtlSeconds,
    lockWaitMs: config.lockWaitMs,
    restartTimeoutMs: config.restartTimeoutMs,
    lockLeaseSeconds: config.lockLeaseSeconds,
    backendTimeoutMs: config.backendTimeoutMs,
  });
  const telemetry = new StartTelemetry({ redaction });
  const operations = new InstanceOperations(lock, store, {
    lockWaitMs: config.lockWaitMs,
    showInput: config.statusShowsInput,
  });
  const operationTelemetry = new OperationTelemetry({ redaction });
  const signals = new SignalFlow(lock, {
    lockWaitMs: config.lockWaitMs,
    receiptWaitMs: config.signalReceiptWaitMs,
    receiptPollMs: SIGNAL_RECEIPT_POLL_MS,
    clock: systemClock,
    newId: randomUUID,
  });
  const signalTelemetry = new SignalTelemetry({ redaction });
  const starter = new SingletonStarter(telemetry.around(keyed), lock);
  const { backendTimeoutMs } = config;
  // The doors reuse one durable client per binding (src/durable/client.ts): so is its adapter.
  let last: { client: DurableClient; instances: DurableInstances } | undefined;
  const instancesOf = (client: DurableClient) => {
    if (last?.client !== client)
      last = {
        client,
        instances: new DurableInstances(client, backendTimeoutMs, listUrlOfClient(client)),
      };
    return last.instances;
  };
  return {
    config,
    redaction,
    start: (request, client, log) =>
      starter.start(request, instancesOf(client), redaction.log(log, request.instanceId)),
    signal: async (request, client, log) => {
      const said = redaction.log(log, request.instanceId);
      const checked = checkSignalRequest(request);
      if ('kind' in checked) {
        said.info(`Signal refused (invalid ${checked.field}): ${checked.detail}`);
        return checked;
      }
      const { idempotencyKey } = request;
      const command = idempotencyKey === undefined ? checked : keyedSignal(checked, idempotencyKey);
      if ('problem' in command) {
        said.info(`Signal refused (invalid idempotencyKey): ${command.problem}`);
        return { kind: 'invalid', field: 'idempotencyKey', detail: command.problem };
      }
      return signalTelemetry.run(command, instancesOf(client), (instances) =>
        signals.signal(command, instances, said),
      );
    },
    operate: (request, client, log) => {
      const instances = instancesOf(client);
      const { orchestrator } = request;
      if ('query' in request) {
        const { operation, query } = request;
        return operationTelemetry.run(request, () =>
          operation === 'list'
            ? operations.list(instances, orchestrator, query, log)
            : operations.many(
                instances,
                orchestrator,
                operation === 'terminateMany' ? 'terminate' : 'purge',
                query,
                log,
                (instanceId) => redaction.log(log, instanceId),
              ),
        );
      }
      const { operation, instanceId } = request;
      const said = redaction.log(log, instanceId);
      return operationTelemetry.run(request, () =>
        operations[operation](instances, orchestrator, instanceId, said),
      );
    },
    schedules: async (client, log, name) => {
      const instances = instancesOf(client);
      try {
        if (name === undefined) {
          return { kind: 'views', views: await listSchedules(env, instances) };
        }
        const declared = declaredSchedule(name);
        if (declared === undefined) return { kind: 'unknown' };
        return { kind: 'views', views: [await viewSchedule(declared, env, instances)] };
      } catch (error) {
        if (!(error instanceof DependencyError)) throw error;
        log.warn(`Reading the schedules failed: ${error.message}`);
        return { kind: error.kind === 'failed' ? 'failed' : 'unavailable', detail: error.message };
      }
    },
  };
}

function misconfigured(detail: string): AppStarter {
  return {
    config: undefined,
    // The setting may be the bad one: an unknown wish is taken as the stricter.
    redaction: redactInstanceIds,
    start: (_request, _client, log) => {
      log.warn(detail);
      return Promise.resolve({ kind: 'misconfigured', detail });
    },
    signal: (_request, _client, log) => {
      log.warn(detail);
      return Promise.resolve({ kind: 'misconfigured', detail });
    },
    operate: (_request, _client, log) => {
      log.warn(detail);
      return Promise.resolve({ kind: 'misconfigured', detail });
    },
    schedules: (_client, log) => {
      log.warn(detail);
      return Promise.resolve({ kind: 'misconfigured', detail });
    },
  };
}

let shared: AppStarter | undefined;

/** The process's one starter, built at its first use from the app settings and host.json. */
export function processStarter(): AppStarter {
  shared ??= createStarter(process.env, readHostJson());
  return shared;
}
