/** App settings as the process sees them (`process.env`, or a test's own map). */
export type Env = Readonly<Record<string, string | undefined>>;
