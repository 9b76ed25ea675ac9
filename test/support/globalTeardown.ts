import type { ChildProcess } from 'node:child_process';

export default async function globalTeardown(): Promise<void> {
  const azurite = (globalThis as { __AZURITE__?: ChildProcess }).__AZURITE__;
  if (azurite && azurite.exitCode === null) {
    const exited = new Promise((resolve) => azurite.once('exit', resolve));
    azurite.kill();
    await exited;
  }
}
