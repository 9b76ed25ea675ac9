/**
 * The orchestrators exposed for singleton start. The HTTP starter starts only what is declared
 * here, so a caller cannot start an arbitrary orchestrator (or an activity) by name.
 */
import type { ReusePolicy } from './policy';

export interface StartableOrchestrator {
  /** The orchestrator's registered function name. */
  readonly name: string;
  /** Which ended instances a new start may replace. */
  readonly reuse: ReusePolicy;
}

export interface ExposeOptions {
  /** Default `always`: any ended instance may be replaced (the Durable sample's behaviour). */
  reuse?: ReusePolicy;
}

const startable = new Map<string, StartableOrchestrator>();

/** Declares an orchestrator startable through the singleton starter. Call it beside its registration. */
export function exposeForSingletonStart(name: string, options: ExposeOptions = {}): void {
  const key = name.toLowerCase();
  if (startable.has(key)) {
    throw new Error(`Orchestrator "${name}" is already exposed for singleton start.`);
  }
  startable.set(key, { name, reuse: options.reuse ?? 'always' });
}

/** Finds an exposed orchestrator by name, case-insensitively (function names are). */
export function findStartable(name: string): StartableOrchestrator | undefined {
  return startable.get(name.toLowerCase());
}
