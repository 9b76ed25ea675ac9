/**
 * The chaos scenarios (issue 11, a–f; issue 26, g). Each sends start requests through the recorder while it
 * injects its faults, and returns the expectations specific to it; the invariants over the whole
 * history are the checker's. Every instance ID starts with `<tag>-<scenario key>`, so violations
 * can be told apart per scenario.
 */
import { killBetweenLockAndStart, extensionBlackhole, restartRace } from './crashScenarios';
import { otherOrchestrators } from './ownershipScenario';
import type { Scenario } from './scenario';
import { bursts, storageBlackhole, storageLatencyResets } from './storageScenarios';

export type { Expectation, Scenario, ScenarioContext } from './scenario';

/** In the order they run: b kills an instance, so it comes after the scenarios that want all of them. */
export const SCENARIOS: readonly Scenario[] = [
  bursts,
  storageBlackhole,
  storageLatencyResets,
  killBetweenLockAndStart,
  extensionBlackhole,
  restartRace,
  otherOrchestrators,
];
