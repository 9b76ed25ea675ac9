/**
 * Child process of the benchmark's cold load (`node dist/bench/coldProbe.js`, a fresh process per
 * run): loads a function app's entry points as the Node worker does, each file of `COLD_MODULES`
 * (a JSON array) in order, with the `@azure/functions-core` stand-in (`COLD_CORE`) installed, and
 * prints one JSON line: when the first entry point began loading and when the last was loaded (ms
 * since the process started), the files loaded and the functions registered. Before the entry
 * points it requires nothing but Node built-ins and the stand-in, so whatever else is loaded is
 * the app's, resolved from where the app resolves it.
 */
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

interface Core {
  install(): void;
  getRegistrations(): ReadonlyMap<string, unknown>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const core = require(process.env.COLD_CORE!) as Core;
core.install();
const files = Object.keys(require.cache).length;
const began = performance.now();
for (const file of JSON.parse(process.env.COLD_MODULES!) as string[]) require(file);
const loaded = performance.now();
writeSync(
  1,
  `${JSON.stringify({
    beganMs: began,
    loadedMs: loaded,
    files: Object.keys(require.cache).length - files,
    functions: core.getRegistrations().size,
  })}\n`,
);
// Modules may hold handles (timers, clients): the probe is done.
process.exit(0);
