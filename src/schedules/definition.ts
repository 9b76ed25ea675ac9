/**
 * Schedules declared in code, beside the orchestrator they start: `scheduleSingleton(name, …)`.
 * What a schedule may say is checked where it is said: at registration for what the code fixes
 * (the name, the overlap policy, the catch-up window, the buffer's cap, a literal expression),
 * and on every use for an expression read from an app setting (`%NAME%`), so an operator's bad
 * value refuses that schedule loudly (the keeper logs it on each round, the operator's list shows
 * it) instead of leaving a schedule that never fires.
 */
import type { Env } from '../env';
import { EVENT_NAME, findStartable } from '../singleton/catalog';
import { parseTiming, type Timing } from './timing';

export const OVERLAP_POLICIES = [
  'skip',
  'bufferOne',
  'bufferAll',
  'cancelOther',
  'terminateOther',
  'allowAll',
] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export interface ScheduleOptions {
  /** The orchestrator it starts (exposed with `exposeForSingletonStart`). */
  readonly orchestrator: string;
  /** The instance ID of its runs (`allowAll`: `{instanceId}-{tick time}`). */
  readonly instanceId: string;
  /** NCRONTAB (six fields, UTC) or a TimeSpan interval; `%NAME%` reads the app setting NAME. */
  readonly schedule: string;
  /**
   * The input of every run (JSON), or a function of the tick's time (ISO 8601; `now-…` for an
   * operator's trigger) that makes it; default `null`.
   */
  readonly input?: unknown;
  /** What a tick does while a run of the ID is running; default `skip`. */
  readonly overlap?: OverlapPolicy;
  /** Ticks missed (no app instance ran) this recently still run; older ones are skipped. Default 300, 0-604 800 seconds. */
  readonly catchupWindowSeconds?: number;
  /** A failed run pauses the schedule until it is resumed; default `false`. */
  readonly pauseOnFailure?: boolean;
  /** `bufferAll`: ticks that may wait; further ones are skipped. Default 10, 1-100. */
  readonly bufferLimit?: number;
  /** `cancelOther`: the event that asks a run to stop; default `cancel`, declared by the orchestrator. */
  readonly cancelEvent?: string;
  /** Created paused: it fires once resumed (an operator's `resume`). Default `false`. */
  readonly initiallyPaused?: boolean;
}

/** A schedule ready to fire: its options checked, its expression resolved. */
export interface Schedule {
  readonly name: string;
  readonly orchestrator: string;
  readonly instanceId: string;
  readonly timing: Timing;
  readonly input: unknown;
  readonly overlap: OverlapPolicy;
  readonly catchupWindowMs: number;
  readonly pauseOnFailure: boolean;
  readonly bufferLimit: number;
  readonly cancelEvent: string;
  readonly initiallyPaused: boolean;
}

export const SCHEDULE_NAME = /^[A-Za-z0-9_-]{1,60}$/;
export const MAX_CATCHUP_WINDOW_SECONDS = 604_800;
export const MAX_BUFFER_LIMIT = 100;
const SETTING = /^%([A-Za-z0-9_.:-]+)%$/;

const declared = new Map<string, { name: string; options: ScheduleOptions }>();

function integerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** What is wrong with the options the code fixes; empty when nothing is. */
function staticProblems(name: string, options: ScheduleOptions): string[] {
  const problems: string[] = [];
  if (!SCHEDULE_NAME.test(name)) problems.push('its name must be 1-60 letters, digits, _ or -');
  if (typeof options.orchestrator !== 'string' || options.orchestrator === '') {
    problems.push('orchestrator must name an orchestrator');
  }
  if (typeof options.instanceId !== 'string' || options.instanceId === '') {
    problems.push('instanceId must be a non-empty string');
  }
  if (typeof options.schedule !== 'string') problems.push('schedule must be a string');
  const { overlap, catchupWindowSeconds, bufferLimit, cancelEvent } = options;
  if (overlap !== undefined && !(OVERLAP_POLICIES as readonly string[]).includes(overlap)) {
    problems.push(`overlap must be one of ${OVERLAP_POLICIES.join(', ')}`);
  }
  if (
    catchupWindowSeconds !== undefined &&
    !integerIn(catchupWindowSeconds, 0, MAX_CATCHUP_WINDOW_SECONDS)
  ) {
    problems.push(
      `catchupWindowSeconds must be a whole number from 0 to ${MAX_CATCHUP_WINDOW_SECONDS}`,
    );
  }
  if (bufferLimit !== undefined && !integerIn(bufferLimit, 1, MAX_BUFFER_LIMIT)) {
    problems.push(`bufferLimit must be a whole number from 1 to ${MAX_BUFFER_LIMIT}`);
  }
  if (cancelEvent !== undefined && !EVENT_NAME.test(cancelEvent)) {
    problems.push('cancelEvent must be an event name');
  }
  if (typeof options.schedule === 'string' && !SETTING.test(options.schedule.trim())) {
    const timing = parseTiming(options.schedule);
    if ('problem' in timing) problems.push(`schedule is ${timing.problem}`);
  }
  return problems;
}

/**
 * Declares a schedule. Throws, naming it, when what the code says is invalid or the name is taken:
 * a schedule that cannot fire is refused before the app runs.
 */
export function scheduleSingleton(name: string, options: ScheduleOptions): void {
  const problems = staticProblems(name, options);
  if (problems.length > 0) {
    throw new Error(`Schedule "${name}" is invalid: ${problems.join('; ')}.`);
  }
  const key = name.toLowerCase();
  if (declared.has(key)) throw new Error(`Schedule "${name}" is already declared.`);
  declared.set(key, { name, options });
}

/** The declared schedules' names, in declaration order. */
export function scheduleNames(): string[] {
  return [...declared.values()].map(({ name }) => name);
}

export type Resolved = { readonly ok: true; readonly schedule: Schedule } | NotResolved;
export type NotResolved = { readonly ok: false; readonly problem: string };

/** A declared schedule with its expression read from `env`; or why it cannot fire now. */
export function resolveSchedule(name: string, env: Env): Resolved | undefined {
  const entry = declared.get(name.toLowerCase());
  if (entry === undefined) return undefined;
  const { options } = entry;
  const refused = (problem: string): NotResolved => ({
    ok: false,
    problem: `Schedule "${entry.name}" cannot fire: ${problem}.`,
  });
  let expression = options.schedule.trim();
  const setting = SETTING.exec(expression)?.[1];
  if (setting !== undefined) {
    const value = env[setting]?.trim();
    if (!value) return refused(`its schedule reads the app setting ${setting}, which is not set`);
    expression = value;
  }
  const orchestrator = findStartable(options.orchestrator);
  if (orchestrator === undefined) {
    return refused(`its orchestrator is not exposed for singleton start (exposeForSingletonStart)`);
  }
  const cancelEvent = options.cancelEvent ?? 'cancel';
  if (options.overlap === 'cancelOther' && !orchestrator.events?.has(cancelEvent.toLowerCase())) {
    return refused(
      `overlap 'cancelOther' needs its orchestrator to declare the event ${cancelEvent}`,
    );
  }
  const timing = parseTiming(expression);
  if ('problem' in timing) {
    return refused(
      setting === undefined
        ? `its schedule is ${timing.problem}`
        : `the app setting ${setting} is ${timing.problem}`,
    );
  }
  return {
    ok: true,
    schedule: {
      name: entry.name,
      orchestrator: orchestrator.name,
      instanceId: options.instanceId,
      timing,
      input: options.input ?? null,
      overlap: options.overlap ?? 'skip',
      catchupWindowMs: (options.catchupWindowSeconds ?? 300) * 1000,
      pauseOnFailure: options.pauseOnFailure ?? false,
      bufferLimit: options.bufferLimit ?? 10,
      cancelEvent: options.cancelEvent ?? 'cancel',
      initiallyPaused: options.initiallyPaused ?? false,
    },
  };
}
