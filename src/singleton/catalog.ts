/**
 * The orchestrators exposed for singleton start. The HTTP starter starts only what is declared
 * here, so a caller cannot start an arbitrary orchestrator (or an activity) by name.
 */
import type { ReusePolicy, StartingOrchestrator } from './policy';

/** An exposed orchestrator: its name, reuse policy and opt-in (`StartingOrchestrator`), and input check. */
export interface StartableOrchestrator extends StartingOrchestrator {
  /** The orchestrator's own input check, run before anything starts; none: any JSON input. */
  readonly input?: InputCheck;
  /** The events it takes, by lower-case name (event names are case-insensitive to the engine). */
  readonly events?: ReadonlyMap<string, DeclaredEvent>;
}

/** An event an orchestrator declares it handles, and the check of its data. */
export interface DeclaredEvent {
  /** As declared: the spelling the event is raised with. */
  readonly name: string;
  /** Refuses data the orchestrator would fail on; none: any JSON data. */
  readonly data?: InputCheck;
}

/** An event's name: letters, digits, `_`, `-` and `.`, up to 100 (the extension's URL carries it). */
export const EVENT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * A pure check of a caller's input (the parsed JSON body, `null` without one). The jobs' own checks
 * fit: they return `{ ok: true, value }` or `{ ok: false, problems }`, one problem per field.
 */
export type InputCheck = (
  raw: unknown,
) => { readonly ok: true } | { readonly ok: false; readonly problems: readonly string[] };

export interface ExposeOptions {
  /** Default `always`: any ended instance may be replaced (the Durable sample's behaviour). */
  reuse?: ReusePolicy;
  /** Refuses a start whose input the orchestrator would fail on (400 `invalid-input`). */
  input?: InputCheck;
  /**
   * Default `false`: an ID whose instance belongs to another orchestrator is refused (409
   * `other-orchestrator`), running or ended. `true` lets a start replace another orchestrator's
   * *ended* instance (its history and output are lost), under `reuse`; a running one is still
   * never attached to or terminated. For an ID that moves from one job to another on purpose.
   */
  replacesOtherOrchestrators?: boolean;
  /**
   * The events it handles, each with an optional check of its data: only these can be signalled
   * (`signalWithStart`, `POST …/{instanceId}/events/{eventName}`).
   */
  events?: Readonly<Record<string, { readonly data?: InputCheck }>>;
  /**
   * Default `false`: a 2xx signal means the engine took the event for a running run, which the
   * run may still end without reading. `true`: its runs open each event with `takeSignal`
   * (src/jobs/signalInbox.ts) and list it in custom status, and a 2xx means a run read it
   * (./signalReceipt.ts). Its events then arrive sealed: read them only through `takeSignal`.
   * Its input may arrive wrapped with the receipts of the run before: read it only through
   * `openStartInput`, and list those receipts in custom status from the first episode on.
   */
  acknowledgesSignals?: boolean;
}

const startable = new Map<string, StartableOrchestrator>();

/** Declares an orchestrator startable through the singleton starter. Call it beside its registration. */
export function exposeForSingletonStart(name: string, options: ExposeOptions = {}): void {
  const key = name.toLowerCase();
  if (startable.has(key)) {
    throw new Error(`Orchestrator "${name}" is already exposed for singleton start.`);
  }
  const {
    reuse = 'always',
    input,
    replacesOtherOrchestrators = false,
    acknowledgesSignals = false,
  } = options;
  const events = new Map<string, DeclaredEvent>();
  for (const [event, { data } = {}] of Object.entries(options.events ?? {})) {
    if (!EVENT_NAME.test(event) || events.has(event.toLowerCase())) {
      throw new Error(
        `Event "${event}" of "${name}": names are 1-100 letters, digits, '_', '-' or '.', each once.`,
      );
    }
    events.set(event.toLowerCase(), { name: event, ...(data && { data }) });
  }
  startable.set(key, {
    name,
    reuse,
    ...(input && { input }),
    ...(replacesOtherOrchestrators && { replacesOtherOrchestrators }),
    ...(events.size > 0 && { events }),
    ...(acknowledgesSignals && { acknowledgesSignals: true as const }),
  });
}

/** Finds an exposed orchestrator by name, case-insensitively (function names are). */
export function findStartable(name: string): StartableOrchestrator | undefined {
  return startable.get(name.toLowerCase());
}
