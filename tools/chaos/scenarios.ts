/**
 * The chaos scenarios (issue 11, a–f; issue 26, g; issue 24, h: signals). Each sends start requests through the recorder while it
 * injects its faults, and returns the expectations specific to it; the invariants over the whole
 * history are the checker's. Every instance ID starts with `<tag>-<scenario key>`, so violations
 * can be told apart per scenario.
 */
import { killBetweenLockAndStart, extensionBlackhole, restartRace } from './crashScenarios';
import { otherOrchestrators } from './ownershipScenario';
import type { Scenario } from './scenario';
import { schedulesUnderFaults } from './scheduleScenario';
import { signalScenario } from './signalScenario';
import { bursts, storageBlackhole, storageLatencyResets } from './storageScenarios';

export type { Expectation, Scenario, ScenarioContext } from './scenario';

/**
 * In the order they run: b kills an instance, so it comes after the scenarios that want all of
 * them; h kills another in its last round; i kills one more when two still live (CI runs i alone,
 * on a fresh cluster of three, so that it does).
 */
export const SCENARIOS: readonly Scenario[] = [
  bursts,
  storageBlackhole,
  storageLatencyResets,
  killBetweenLockAndStart,
  extensionBlackhole,
  restartRace,
  otherOrchestrators,
  signalScenario,
  schedulesUnderFaults,
];
