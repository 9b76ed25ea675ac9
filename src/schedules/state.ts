/**
 * What one scheduler generation hands the next (continue-as-new), and how a generation reads its
 * input: `{ name }` on the first one (the keeper's or an operator's start), this state later. The
 * scheduler's instance ID must be its schedule's, so a start under another ID fails at once.
 */
import { MAX_RECEIPTS, openStartInput } from '../singleton/signalReceipt';
import { SCHEDULE_NAME } from './definition';
import type { TickFate } from './overlap';
import { schedulerIdOf } from './names';

export interface SchedulerState {
  readonly name: string;
  /** Ticks up to this time are handled; `null` before the first generation ran. */
  readonly lastTick: string | null;
  /** Ticks waiting for the running run to end, oldest first. */
  readonly buffer: readonly string[];
  readonly paused: { readonly reason: string; readonly at: string } | null;
  /** The run this schedule started last, until it is seen ended. */
  readonly active: { readonly instanceId: string; readonly tick: string } | null;
  /** The last tick's fate. */
  readonly last: {
    readonly tick: string;
    readonly fate: TickFate | 'missed' | 'paused';
    readonly at: string;
    readonly instanceId?: string;
    readonly detail?: string;
  } | null;
  /**
   * Every tick ends once as started, skipped, refused, missed or paused; `buffered` counts the
   * ticks that waited on the way (a waiting tick ends as started, refused or, replaced, skipped).
   * So the ends plus the ticks waiting now are all the ticks handled (operators' triggers too).
   */
  readonly counts: Readonly<Record<TickFate | 'missed' | 'paused', number>>;
  /** When the next tick is due, as the last generation computed it (`null`: not known). */
  readonly nextTick: string | null;
  /** An operator's trigger read at the end of the last generation: fired first in this one. */
  readonly triggered: string | null;
  readonly receivedSignals: readonly string[];
}

export function initialSchedulerState(name: string): SchedulerState {
  return {
    name,
    lastTick: null,
    buffer: [],
    paused: null,
    active: null,
    last: null,
    counts: { started: 0, buffered: 0, skipped: 0, refused: 0, missed: 0, paused: 0 },
    nextTick: null,
    triggered: null,
    receivedSignals: [],
  };
}

/** The first input (`{ name }`): checked by the starter before a scheduler starts. */
export function checkSchedulerStart(
  raw: unknown,
): { ok: true } | { ok: false; problems: string[] } {
  const name = (raw as { name?: unknown } | null)?.name;
  const keys = raw !== null && typeof raw === 'object' ? Object.keys(raw) : [];
  return typeof name === 'string' && SCHEDULE_NAME.test(name) && keys.length === 1
    ? { ok: true }
    : { ok: false, problems: ['the input is { "name": <a schedule name> } and nothing else'] };
}

/**
 * The generation's state; throws (the scheduler fails at once, saying why) on an input no keeper or
 * generation writes, or under an instance ID that is not its schedule's.
 */
export function readSchedulerInput(raw: unknown, instanceId: string): SchedulerState {
  // A first run inherits the receipts of the scheduler it follows (src/jobs/signalInbox.ts).
  const opened = openStartInput(raw);
  const input = (opened.input ?? {}) as Partial<SchedulerState>;
  if (typeof input.name !== 'string' || !SCHEDULE_NAME.test(input.name)) {
    throw new Error('The scheduler needs { "name": <a schedule name> } as its input.');
  }
  if (instanceId !== schedulerIdOf(input.name)) {
    throw new Error(
      `The scheduler of "${input.name}" runs only as instance '${schedulerIdOf(input.name)}'.`,
    );
  }
  if (!('counts' in input)) {
    return { ...initialSchedulerState(input.name), receivedSignals: [...opened.receipts] };
  }
  const state = input as SchedulerState;
  return {
    ...state,
    triggered: state.triggered ?? null,
    receivedSignals: state.receivedSignals.slice(-MAX_RECEIPTS),
  };
}
