import { freePort, startAzurite } from './azurite';

export default async function globalSetup(): Promise<void> {
  // A free port per run, so parallel runs and a developer's own Azurite never collide.
  const port = await freePort();
  process.env.TEST_AZURITE_BLOB_PORT = String(port);
  (globalThis as { __AZURITE__?: unknown }).__AZURITE__ = await startAzurite(port);
}
