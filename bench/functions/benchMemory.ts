/**
 * Benchmark-only HTTP function (loaded by the local host through LOCAL_HOST_EXTRA_FUNCTIONS, never
 * deployed): `GET /api/bench/memory` answers the app process's memory, so the benchmark can show
 * how it grows with the number of starts the process has served.
 */
import { app } from '@azure/functions';

app.http('benchMemory', {
  route: 'bench/memory',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    return { jsonBody: { pid: process.pid, rss, heapUsed, heapTotal, external } };
  },
});
