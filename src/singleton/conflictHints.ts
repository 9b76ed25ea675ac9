/**
 * The instance IDs this process recently started or refused: the next start of such an ID is
 * likely refused (the instance runs, or the reuse policy keeps it), so it reads the status first
 * and asks for the lock only if it must, as the sample does. A hint only chooses the order of the
 * calls, never the answer, so a wrong or missing hint costs time, not safety. Bounded, so a
 * long-lived worker's memory stays flat.
 */
const MAX_HINTS = 10_000;

export class ConflictHints {
  private readonly ids = new Set<string>();

  constructor(private readonly max = MAX_HINTS) {}

  expectsConflict(instanceId: string): boolean {
    return this.ids.has(instanceId);
  }

  expectConflict(instanceId: string): void {
    // Re-inserted, so the oldest hint is the one that goes when full.
    this.ids.delete(instanceId);
    this.ids.add(instanceId);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }
}
