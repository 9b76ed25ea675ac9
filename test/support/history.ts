/**
 * Builds orchestration histories the way the Durable extension sends them to the Node worker:
 * DurableTask.Core events in PascalCase with a numeric `EventType`, and
 * `EventId`, `IsPlayed` and `Timestamp` on every event. Tests state the events of each episode; the
 * builder stamps time and marks earlier episodes as played.
 */

export const EventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

/** An event as a test states it; `IsPlayed` and `Timestamp` are the builder's job. */
export interface NewEvent {
  EventType: number;
  EventId: number;
  [field: string]: unknown;
}

export interface HistoryEvent extends NewEvent {
  IsPlayed: boolean;
  Timestamp: string;
}

/** Events that are not tied to a scheduled task carry `EventId: -1`, as in DurableTask. */
const UNNUMBERED = -1;

export const orchestratorStarted = (): NewEvent => ({
  EventType: EventType.OrchestratorStarted,
  EventId: UNNUMBERED,
});

export const orchestratorCompleted = (): NewEvent => ({
  EventType: EventType.OrchestratorCompleted,
  EventId: UNNUMBERED,
});

export const executionStarted = (name: string, input: unknown): NewEvent => ({
  EventType: EventType.ExecutionStarted,
  EventId: UNNUMBERED,
  Name: name,
  Input: JSON.stringify(input),
});

export const taskScheduled = (id: number, name: string, input: unknown): NewEvent => ({
  EventType: EventType.TaskScheduled,
  EventId: id,
  Name: name,
  Input: JSON.stringify(input),
});

export const taskCompleted = (taskScheduledId: number, result: unknown): NewEvent => ({
  EventType: EventType.TaskCompleted,
  EventId: UNNUMBERED,
  TaskScheduledId: taskScheduledId,
  Result: JSON.stringify(result),
});

export const taskFailed = (taskScheduledId: number, reason: string, details = ''): NewEvent => ({
  EventType: EventType.TaskFailed,
  EventId: UNNUMBERED,
  TaskScheduledId: taskScheduledId,
  Reason: reason,
  Details: details,
});

export const timerCreated = (id: number, fireAt: string): NewEvent => ({
  EventType: EventType.TimerCreated,
  EventId: id,
  FireAt: fireAt,
});

export const timerFired = (timerId: number, fireAt: string): NewEvent => ({
  EventType: EventType.TimerFired,
  EventId: UNNUMBERED,
  TimerId: timerId,
  FireAt: fireAt,
});

export const eventRaised = (name: string, input?: unknown): NewEvent => ({
  EventType: EventType.EventRaised,
  EventId: UNNUMBERED,
  Name: name,
  ...(input === undefined ? {} : { Input: JSON.stringify(input) }),
});

/** One execution's history, episode by episode. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];

  /** Opens an episode at `at`: earlier events become played, then OrchestratorStarted and `events`. */
  openEpisode(at: Date, ...events: NewEvent[]): void {
    for (const event of this.events) {
      event.IsPlayed = true;
    }
    this.append(at, orchestratorStarted(), ...events);
  }

  /** Appends events to the current episode (what the extension records while it runs). */
  append(at: Date, ...events: NewEvent[]): void {
    const Timestamp = at.toISOString();
    this.events.push(...events.map((event) => ({ ...event, IsPlayed: false, Timestamp })));
  }
}
