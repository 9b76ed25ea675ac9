/**
 * The nightly job's instance ID: one per UTC date, so every firing for a date (a restart, a
 * catch-up, another app instance) addresses the same instance, and the starter lets one run.
 */
export function nightlyImportId(firedAt: Date): string {
  return `nightly-import-${firedAt.toISOString().slice(0, 10)}`;
}
