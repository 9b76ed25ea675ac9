/**
 * What a chaos run records, for the checker: each start or signal request the runner sent, and each
 * run of the chaos job as the job itself wrote it (an activity writes a row at its start, at every
 * heartbeat, for every `ping` event it read, and at its end). Times are epoch milliseconds on this
 * machine's one clock.
 */

/** A fault in effect while a request was in flight. */
export type FaultKind =
  /** Delay with jitter on a connection (storage or the extension's endpoint). */
  | 'latency'
  /** Connections or answers reset. */
  | 'reset'
  /** Bytes swallowed, no answer. */
  | 'blackhole'
  /** The app instance that was asked was killed (SIGKILL). */
  | 'kill'
  /** An error answer injected on purpose (the only fault that excuses a 5xx other than 503). */
  | 'error-answer';

export interface RequestRecord {
  /** The unique input marker this request carried in its body. */
  readonly marker: string;
  readonly instanceId: string;
  /** The orchestrator the request asked the starter to start. */
  readonly orchestrator: string;
  readonly onConflict?: 'reject' | 'attach' | 'restart';
  /** Which app instance was asked (its front door). */
  readonly target: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** The HTTP status; 0 when no answer came (connection failed, or the client gave up). */
  readonly status: number;
  readonly retryAfter?: string;
  /** Faults in effect at any time while it was in flight; empty when none. */
  readonly faults: readonly FaultKind[];
  /**
   * Set for a signal (`POST …/{instanceId}/events/{event}`): the event, and the unique marker its
   * data carried. `marker` above is then the input of the run the signal may start.
   */
  readonly signal?: SentSignal;
}

/** What a signal request raised. */
export interface SentSignal {
  readonly event: string;
  /** The unique marker in the event's data (`{ marker }`). */
  readonly marker: string;
}

/** A `ping` event a run read, as the chaos job recorded it. */
export interface ReceivedSignal {
  /** The marker in the event's data (`''` when it had none). */
  readonly marker: string;
  /** `true`: the run had read this signal before (its ID was in its receipts), and ignored it. */
  readonly duplicate: boolean;
  /** When the recording activity ran. */
  readonly at: number;
  /**
   * A later episode of the run replayed the read, so the engine kept it. An unproven read may come
   * from an episode the engine discarded (its activities still ran: functions/chaosJob.ts).
   */
  readonly proven: boolean;
}

export interface RunRecord {
  /** One execution of the job (deterministic per execution, so duplicate activity rows merge). */
  readonly runId: string;
  readonly instanceId: string;
  /** The orchestrator it is a run of. */
  readonly orchestrator: string;
  /** The marker in the input this execution received. */
  readonly marker: string;
  /** When its first activity ran. */
  readonly startedAt: number;
  /** When its last activity ran; a run killed from outside (terminated) ends with its last heartbeat. */
  readonly lastSeenAt: number;
  /** Whether it recorded its own end. */
  readonly ended: boolean;
  /** Which app instance ran its first activity. */
  readonly host?: string;
  /** The `ping` events it read, in the order it read them (across its generations). */
  readonly signals: readonly ReceivedSignal[];
  /** When each of its records was written, in order (its heartbeats among them). */
  readonly seenAt?: readonly number[];
}

/** A start made outside the starter on purpose (e.g. through the extension's API directly). */
export interface OutOfBandStart {
  readonly marker: string;
  readonly instanceId: string;
  readonly why: string;
}

/** An event raised past the starter on purpose (the extension's API), carrying a unique marker. */
export interface OutOfBandSignal {
  readonly marker: string;
  readonly instanceId: string;
  readonly why: string;
}

/** An operator request (terminate or purge) that named an instance under an orchestrator. */
export interface OperationRecord {
  readonly operation: 'terminate' | 'purge';
  /** The orchestrator the route named. */
  readonly orchestrator: string;
  readonly instanceId: string;
  /** `app`: the operator routes; `extension`: the extension's own links, as the sample hands out. */
  readonly via: 'app' | 'extension';
  readonly sentAt: number;
  readonly status: number;
}

/** What a scheduler reported at one moment (GET /api/schedules/{name}). */
export interface ScheduleReport {
  /** Ticks up to this time (epoch ms) were handled. */
  readonly lastTick: number;
  /** Each tick's end so far: started, skipped, refused, missed, paused. */
  readonly ends: Readonly<Record<'started' | 'skipped' | 'refused' | 'missed' | 'paused', number>>;
  /** Ticks waiting now. */
  readonly waiting: number;
}

export interface ScheduleRecord {
  readonly name: string;
  /** The instance ID its runs take. */
  readonly instanceId: string;
  /** An interval schedule: ticks on the multiples of this length since the epoch. */
  readonly intervalMs: number;
  /** The scheduler's reports around the scenario; absent for a schedule that reports nothing. */
  readonly before?: ScheduleReport;
  readonly after?: ScheduleReport;
  /** Without reports: the window whose ticks must be accounted for, (from, to] in epoch ms. */
  readonly from: number;
  readonly to: number;
}

export interface History {
  readonly requests: readonly RequestRecord[];
  readonly runs: readonly RunRecord[];
  readonly outOfBandStarts?: readonly OutOfBandStart[];
  readonly outOfBandSignals?: readonly OutOfBandSignal[];
  readonly operations?: readonly OperationRecord[];
  /** The schedules scenario i ran (./scheduleChecker.ts). */
  readonly schedules?: readonly ScheduleRecord[];
}
