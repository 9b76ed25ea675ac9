/**
 * Start a singleton from any function that has a durable client input: a timer, a queue message,
 * an Event Grid event, your own HTTP route. The same guarantee and the same result as the HTTP
 * starter, without HTTP:
 *
 *   const result = await singletonStarter(context).start('processBatch', 'import-42', { items: 10 });
 *   if (result.kind === 'conflict') context.info('already running');
 *
 * The function must declare `extraInputs: [df.input.durableClient()]`.
 */
import type { InvocationContext } from '@azure/functions';
import { durableClient } from './durable/client';
import { readJsonInput } from './http/jsonInput';
import type { ConflictPolicy } from './singleton/policy';
import { resultLine } from './singleton/messages';
import type { SingletonResult } from './singleton/result';
import type { SignalResult } from './singleton/signal';
import type { SchedulerEvent } from './schedules/names';
import { declaredSchedule, scheduleCommand } from './schedules/scheduleOperations';
import { processStarter, type SchedulesAnswer } from './starter';

export type { SingletonResult } from './singleton/result';
export type { SignalResult } from './singleton/signal';
export { exposeForSingletonStart } from './singleton/catalog';
export { scheduleSingleton, type ScheduleOptions } from './schedules/definition';
export type { ScheduleView } from './schedules/scheduleOperations';

export interface StartOptions {
  /**
   * What to do when an instance with the ID is running: `reject` (the default), `attach` or
   * `restart` (`ConflictPolicy`); anything else is refused as `invalid`.
   */
  readonly onConflict?: ConflictPolicy | string;
  /** Makes a retried start answer the original result instead of starting again. */
  readonly idempotencyKey?: string;
}

export interface BoundStarter {
  /**
   * Starts `orchestrator` (exposed with `exposeForSingletonStart`) under `instanceId` unless an
   * instance with the ID is running. Never throws for a refusal or a dependency failure: the
   * result says what happened (`started`, `conflict`, `unavailable`, …).
   */
  start(
    orchestrator: string,
    instanceId: string,
    input?: unknown,
    options?: StartOptions,
  ): Promise<SingletonResult>;
  /**
   * One sentence saying what came of the start of `instanceId`, for the trigger's own log line or
   * error: without the ID when `SINGLETON_REDACT_INSTANCE_IDS` is set.
   */
  describe(result: SingletonResult, instanceId: string): string;
  /**
   * Raises `eventName` (declared in `exposeForSingletonStart`'s `events`) with `data` to the running
   * instance (`signaled`), or starts `orchestrator` under `instanceId` with `options.input` and
   * raises it to the new run (`started`); `conflict` when neither may be done. Never throws for a
   * refusal or a dependency failure.
   */
  signal(
    orchestrator: string,
    instanceId: string,
    eventName: string,
    data?: unknown,
    options?: {
      readonly input?: unknown;
      readonly idempotencyKey?: string;
      /** `false`: only a running run gets the event; none running → `conflict` (`not-running`). */
      readonly startsRun?: false;
    },
  ): Promise<SignalResult>;
  /**
   * The schedules (`scheduleSingleton`): `list()` and `get(name)` read them (a schedule that cannot
   * fire says why); `command(name, 'pause' | 'resume' | 'trigger')` answers once its scheduler has
   * read the command (`signaled` or `started`), or `undefined` for an undeclared schedule.
   */
  readonly schedules: {
    list(): Promise<SchedulesAnswer>;
    get(name: string): Promise<SchedulesAnswer>;
    command(
      name: string,
      command: SchedulerEvent,
      options?: { readonly idempotencyKey?: string },
    ): Promise<SignalResult | undefined>;
  };
}

/** The process's singleton starter, bound to this invocation's durable client and log. */
export function singletonStarter(context: InvocationContext): BoundStarter {
  const client = durableClient(context);
  const starter = processStarter();
  return {
    start: async (orchestrator, instanceId, input = null, options = {}) => {
      const refused = checkJsonInput(input, starter.config?.maxInputBytes);
      if (refused !== undefined) {
        context.info(`Start refused (invalid input): ${refused}`);
        return { kind: 'invalid', field: 'input', detail: refused };
      }
      return starter.start({ orchestrator, instanceId, input, ...options }, client, context);
    },
    describe: (result, instanceId) => starter.redaction.text(resultLine(result), instanceId),
    signal: async (orchestrator, instanceId, eventName, data = null, options = {}) => {
      for (const [field, value] of [
        ['eventData', data],
        ['input', options.input ?? null],
      ] as const) {
        const refused = checkJsonInput(value, starter.config?.maxInputBytes);
        if (refused !== undefined) {
          context.info(`Signal refused (invalid ${field}): ${refused}`);
          return { kind: 'invalid', field, detail: refused };
        }
      }
      return starter.signal(
        {
          orchestrator,
          instanceId,
          eventName,
          data,
          input: options.input ?? null,
          ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
          ...(options.startsRun === false && { startsRun: false as const }),
        },
        client,
        context,
      );
    },
    schedules: {
      list: () => starter.schedules(client, context),
      get: (name) => starter.schedules(client, context, name),
      command: async (name, command, options = {}) => {
        const declared = declaredSchedule(name);
        if (declared === undefined) return undefined;
        const asked = scheduleCommand(declared, command, options.idempotencyKey);
        return starter.signal(asked, client, context);
      },
    },
  };
}

/**
 * The input reaches the engine as JSON: what JSON cannot carry at all (a BigInt, a cycle, a bare
 * function) or what the engine would refuse (too deep, lone surrogates, unsafe integers, larger
 * than SINGLETON_MAX_INPUT_BYTES) is refused here, as it is over HTTP, rather than changed on the way.
 */
function checkJsonInput(input: unknown, maxBytes: number | undefined): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (error) {
    return `The input cannot be serialized as JSON: ${(error as Error).message}`;
  }
  if (text === undefined) return 'The input cannot be serialized as JSON.';
  const bytes = new TextEncoder().encode(text);
  if (maxBytes !== undefined && bytes.length > maxBytes) {
    return `The input is ${bytes.length} bytes as JSON, over the limit of ${maxBytes} bytes.`;
  }
  const read = readJsonInput(bytes);
  return read.ok ? undefined : read.detail;
}
