/**
 * Durable runtime statuses, and which of them count as "running" for the singleton guarantee.
 * The running set is the extension's own protected set (`OverridableStates.NonRunningStates`):
 * an instance in any of these states still owns its ID.
 */
export const RUNTIME_STATUSES = [
  'Pending',
  'Running',
  'ContinuedAsNew',
  'Suspended',
  'Completed',
  'Failed',
  'Terminated',
  'Canceled',
] as const;

export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

const RUNNING: ReadonlySet<RuntimeStatus> = new Set([
  'Pending',
  'Running',
  'ContinuedAsNew',
  'Suspended',
]);

export function isRuntimeStatus(value: unknown): value is RuntimeStatus {
  return typeof value === 'string' && (RUNTIME_STATUSES as readonly string[]).includes(value);
}

/** True while the instance still owns its ID; false once it has ended in any way. */
export function isRunning(status: RuntimeStatus): boolean {
  return RUNNING.has(status);
}
