/**
 * The lock's container, created on first use and remembered: the lock and the Idempotency-Key
 * records both live in it, and both need it made once per process (again after a failure, or after
 * someone deleted it).
 */
import { storageFailure } from './storageFailure';

export interface ContainerOnce {
  /** Resolves once the container exists; a failure is a lock-dependency failure. */
  ready(): Promise<void>;
  /** Forgets that it exists, so that the next `ready()` makes it again. */
  forget(): void;
}

/** What `containerOnce` uses of the SDK's `ContainerClient` (a test's in-memory store has it too). */
export interface MakesContainer {
  readonly containerName: string;
  createIfNotExists(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

export function containerOnce(container: MakesContainer, timeoutMs: number): ContainerOnce {
  let made: Promise<void> | undefined;
  return {
    ready() {
      made ??= container
        .createIfNotExists({ abortSignal: AbortSignal.timeout(timeoutMs) })
        .then(() => undefined)
        .catch((error: unknown) => {
          made = undefined;
          throw storageFailure(error, `Creating the container '${container.containerName}'`);
        });
      return made;
    },
    forget() {
      made = undefined;
    },
  };
}
