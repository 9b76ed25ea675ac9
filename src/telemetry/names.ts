/**
 * The names the starter's telemetry is published under. OpenTelemetry's semantic conventions have
 * no names for a singleton start, so these live in one custom namespace, `singleton.*`; the one
 * convention that applies, `error.type`, is used as specified. Durations in metrics are in seconds,
 * as the conventions ask.
 */

/** The instrumentation scope of the starter's tracer and meter. */
export const INSTRUMENTATION_SCOPE = 'durable-singleton-starter';

export const SPAN = {
  /** One per start request: what was asked and what came of it. */
  start: 'singleton.start',
  status: 'singleton.instances.status',
  /** A keyed start's read of the instance's run (to record or recognise it). */
  run: 'singleton.instances.run',
  startInstance: 'singleton.instances.start',
  terminate: 'singleton.instances.terminate',
  acquire: 'singleton.lock.acquire',
  release: 'singleton.lock.release',
  raise: 'singleton.instances.raise',
  /** One per signal request: the event, and whether it reached a run or a new one. */
  signal: 'singleton.signal',
  /** One per operator request (status, list, terminate, purge). */
  operate: 'singleton.operate',
  /** One per try of a schedule's tick: the start it asked for, and what came of it. */
  scheduleTick: 'singleton.schedule.tick',
} as const;

export const ATTR = {
  orchestrator: 'singleton.orchestrator',
  onConflict: 'singleton.on_conflict',
  reuse: 'singleton.reuse',
  taskHub: 'singleton.task_hub',
  /** Recorded only when the setting allows (an ID can carry personal data). */
  instanceId: 'singleton.instance_id',
  /**
   * started | attached | conflict | replayed | keyMismatch | keyInProgress | invalid |
   * unavailable | failed | misconfigured | error (thrown: a 500).
   */
  outcome: 'singleton.outcome',
  /** What a replay answers again: started | attached. */
  replayedOutcome: 'singleton.replayed_outcome',
  /** Which field made an invalid request: orchestrator | instanceId | input | idempotencyKey. */
  invalidField: 'singleton.invalid_field',
  /** Why a conflict: running | reuse | other-orchestrator | in-progress. */
  conflictRule: 'singleton.conflict.rule',
  /** Who saw the running instance of a `running` conflict: starter | engine. */
  conflictSeenBy: 'singleton.conflict.seen_by',
  /** The runtime status of the instance that was read, attached to or refused over. */
  runtimeStatus: 'singleton.runtime_status',
  /** How long the start waited for the lock, in milliseconds. */
  lockWaitMs: 'singleton.lock.wait_ms',
  /** The longest the start would wait for the lock, in milliseconds. */
  lockWaitBudgetMs: 'singleton.lock.wait_budget_ms',
  lockAcquired: 'singleton.lock.acquired',
  /** How the hold on the lock ended: released | left_to_expire. */
  lockHoldEnd: 'singleton.lock.hold_end',
  /** The engine refused a start because an instance with the ID is running. */
  engineRefused: 'singleton.engine_refused',
  /** Which dependency failed a call: lock | durable. */
  dependency: 'singleton.dependency',
  /** The event a signal raised. */
  eventName: 'singleton.event',
  /** A schedule's name (declared in code: a bounded set). */
  schedule: 'singleton.schedule',
  /** A tick's time (ISO 8601), or `now-…` for an operator's trigger: on spans only. */
  tick: 'singleton.schedule.tick_time',
  /** The schedule's overlap policy. */
  overlap: 'singleton.schedule.overlap',
  /** What the engine did with a raised event: raised | ended | absent. */
  raised: 'singleton.raised',
  /** The operator route's operation: status | list | terminate | purge. */
  operation: 'singleton.operation',
  /** Semantic conventions: the class of error the operation ended with. */
  errorType: 'error.type',
} as const;

export const METRIC = {
  /** Counter of answered start requests, by outcome. */
  outcomes: 'singleton.start.outcomes',
  /** Histogram of the time to decide a start (the answer's latency), in seconds. */
  duration: 'singleton.start.duration',
  /** Histogram of the time spent waiting for the lock, in seconds. */
  lockWait: 'singleton.lock.wait.duration',
  /** Counter of answered signal requests, by orchestrator, event and outcome. */
  signalOutcomes: 'singleton.signal.outcomes',
  /** Counter of answered operator requests, by operation and outcome. */
  operationOutcomes: 'singleton.operation.outcomes',
  /** Counter of tries of schedules' ticks, by schedule and outcome (started, running, refused, unavailable). */
  scheduleTicks: 'singleton.schedule.ticks',
} as const;

/** The span event written when the hold on the lock is left to expire instead of released. */
export const EVENT_LEFT_TO_EXPIRE = 'singleton.lock.left_to_expire';
