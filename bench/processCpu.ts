/**
 * CPU time of the processes taking part (Linux /proc), so the benchmark can say where a start's
 * time goes: the app (bridge), the Durable engine, Azurite, and the storage front (proxies).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system CPU of a process, in ms; undefined when it cannot be read (gone, not Linux). */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The direct children of `pid`, with their command lines. */
export function children(pid: number): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      found.push({ pid: Number(entry), command });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** A CPU meter over named processes: `take()` returns ms used by each since the last take. */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  let last = read();
  function read(): Record<string, number> {
    return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid) ?? 0]));
  }
  return () => {
    const now = read();
    const used = Object.fromEntries(Object.keys(now).map((k) => [k, now[k]! - last[k]!]));
    last = now;
    return used;
  };
}
