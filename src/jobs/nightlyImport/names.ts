/** The nightly sample job: the batch job under its own name, started by a timer once per date. */
export const NIGHTLY_IMPORT = 'nightlyImport';
