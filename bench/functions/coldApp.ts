/**
 * The app of one launch of the benchmark's cold start (`LOCAL_HOST_APP_MAIN` points here, never
 * deployed). `BENCH_COLD_APP=ours`: the app's entry point (src/index.ts) and its HTTP starter, with
 * the orchestrator `coldHold` exposed for singleton start; `bare`: a bare durable-functions app,
 * the sample's starter and `coldHold` only. One module for both, registering the same orchestrator,
 * so that the engine's generated stubs are the same for both apps and no launch rebuilds it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
if (process.env.BENCH_COLD_APP === 'bare') {
  require('../../tools/sample-starter/sampleHttpStartSingle');
  require('./coldHold');
} else {
  require('../../src/index');
  require('../../src/functions/httpStartSingle');
  require('./coldHold');
  const { exposeForSingletonStart } =
    require('../../src/singleton/catalog') as typeof import('../../src/singleton/catalog');
  exposeForSingletonStart('coldHold');
}
