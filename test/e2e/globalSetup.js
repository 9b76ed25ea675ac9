/** Fails fast, with a clear message, when nothing answers at E2E_BASE_URL. */
module.exports = async function globalSetup() {
  const base = (process.env.E2E_BASE_URL || 'http://localhost:7071').replace(/\/+$/, '');
  console.log(
    `\ne2e: testing ${base}${process.env.E2E_BASE_URL ? '' : ' (set E2E_BASE_URL for another host)'}`,
  );
  const deadline = Date.now() + Number(process.env.E2E_WAIT_SECONDS || 30) * 1000;
  for (;;) {
    try {
      await fetch(base + '/', { signal: AbortSignal.timeout(2000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `Nothing answers at ${base} (${error.cause?.code ?? error.message}). Start the host first: npm run host:local (or func start), or set E2E_BASE_URL.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
};
