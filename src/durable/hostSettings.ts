/**
 * The one Durable host setting the starter depends on: `overridableExistingInstanceStates`. With
 * its default, `NonRunningStates`, the engine refuses to start over a running instance; with
 * `AnyState` it overwrites it. The Functions host reads it from host.json, overridden by an
 * `AzureFunctionsJobHost__extensions__durableTask__overridableExistingInstanceStates` app setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Env } from '../env';

const OVERRIDE =
  'AzureFunctionsJobHost__extensions__durableTask__overridableExistingInstanceStates';

/** Finds the app's host.json: the first one in this module's folder or above it. */
export function findHostJson(from = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'host.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export function engineRefusesRunningDuplicates(env: Env, hostJson: unknown): boolean {
  const fromHostJson = (
    hostJson as { extensions?: { durableTask?: { overridableExistingInstanceStates?: unknown } } }
  )?.extensions?.durableTask?.overridableExistingInstanceStates;
  const setting = env[OVERRIDE] ?? fromHostJson ?? 'NonRunningStates';
  return String(setting).toLowerCase() !== 'anystate';
}

export function readHostJson(path = findHostJson()): unknown {
  return path ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : undefined;
}
