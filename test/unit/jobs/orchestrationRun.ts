/**
 * Drives a registered orchestrator through durable-functions' real replay engine, episode by
 * episode, the way the Durable extension does: each episode sends the whole history so far as an
 * orchestration-trigger payload through `@azure/functions`' invocation model (the functions-core
 * stand-in), and records what the extension would store for the actions the orchestrator returned.
 */
import { findTrigger, getRegistration, invoke } from '../../../tools/functions-core';
import {
  HistoryBuilder,
  type NewEvent,
  executionStarted,
  orchestratorCompleted,
  taskScheduled,
  timerCreated,
} from '../../support/history';

/** durable-functions' `ActionType` values the tests look at. */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: Record<string, unknown>;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  reason?: string;
  compoundActions?: Action[];
}

/** What the worker returns to the extension for one episode. */
export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

export interface Episode {
  state: OrchestratorState;
  /** Actions first returned in this episode (schema V3 returns every action of the execution). */
  newActions: Action[];
  /** The invocation threw: durable-functions' way of reporting a failed orchestration. */
  failed: boolean;
}

const FAILURE_STATE_LABEL = '$OutOfProcData$:';

export class OrchestrationRun {
  readonly history = new HistoryBuilder();
  private clock: Date;
  private actionsSeen = 0;
  private nextEventId = 0;
  /** What the extension stores for the current episode before its OrchestratorCompleted. */
  private pendingEvents: NewEvent[] = [];

  constructor(
    private readonly name: string,
    private readonly input: unknown,
    private readonly instanceId = 'test-instance',
    startAt = new Date('2024-05-01T08:00:00.000Z'),
  ) {
    this.clock = startAt;
  }

  /** The first episode: OrchestratorStarted + ExecutionStarted. */
  start(): Promise<Episode> {
    this.history.openEpisode(this.clock, executionStarted(this.name, this.input));
    return this.replay();
  }

  /**
   * Closes the previous episode as the extension does (TaskScheduled/TimerCreated for its new
   * actions, then OrchestratorCompleted) and replays with `events` in a new episode at `at`
   * (default: one second later).
   */
  next(events: NewEvent[], at = new Date(this.clock.getTime() + 1_000)): Promise<Episode> {
    this.history.append(this.clock, ...this.pendingEvents, orchestratorCompleted());
    this.pendingEvents = [];
    this.clock = at;
    this.history.openEpisode(at, ...events);
    return this.replay();
  }

  /** Records events the extension itself adds to the current episode, e.g. a retry's timer. */
  record(...events: NewEvent[]): void {
    for (const event of events) {
      this.nextEventId = Math.max(this.nextEventId, event.EventId + 1);
    }
    this.pendingEvents.push(...events);
  }

  /** The EventId the extension gives the next scheduled task or timer. */
  get upcomingEventId(): number {
    return this.nextEventId;
  }

  private async replay(): Promise<Episode> {
    const state = await this.invoke();
    const actions = state.actions[0] ?? [];
    const newActions = actions.slice(this.actionsSeen);
    this.actionsSeen = actions.length;
    this.pendingEvents.push(...newActions.flatMap((action) => this.recordAction(action)));
    return { state, newActions, failed: state.error !== undefined };
  }

  private async invoke(): Promise<OrchestratorState> {
    const triggerName = findTrigger(getRegistration(this.name).metadata)?.name ?? '';
    const payload = {
      history: this.history.events,
      input: this.input,
      instanceId: this.instanceId,
      isReplaying: this.history.events.some((event) => event.IsPlayed),
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    try {
      const response = await invoke(this.name, {
        inputData: [{ name: triggerName, data: { string: JSON.stringify(payload) } }],
      });
      return JSON.parse(String(response.returnValue?.json)) as OrchestratorState;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const at = message.indexOf(FAILURE_STATE_LABEL);
      if (at < 0) {
        throw error;
      }
      return JSON.parse(message.slice(at + FAILURE_STATE_LABEL.length)) as OrchestratorState;
    }
  }

  /** The events the extension stores when it carries out an action. */
  private recordAction(action: Action): NewEvent[] {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        return [taskScheduled(this.nextEventId++, String(action.functionName), action.input)];
      case ActionType.CreateTimer:
        return action.isCanceled ? [] : [timerCreated(this.nextEventId++, String(action.fireAt))];
      case ActionType.WhenAll:
      case ActionType.WhenAny:
        return (action.compoundActions ?? []).flatMap((child) => this.recordAction(child));
      default:
        return [];
    }
  }
}
