/** The bridge's log lines: `HH:MM:SS.mmm [bridge] message`, on stdout (the launcher prefixes nothing). */
export function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} [bridge] ${message}\n`);
}
