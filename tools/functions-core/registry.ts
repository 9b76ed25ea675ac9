/**
 * What the app registered: its functions, the programming model of `@azure/functions`, and where
 * its log lines go. The `@azure/functions-core` calls write here; tests and the local host read.
 */
import type { FunctionMetadata, Handler, LogSink, ProgrammingModel, Registration } from './types';

const registrations = new Map<string, Registration>();
let programmingModel: ProgrammingModel | undefined;
let logSink: LogSink = () => undefined;

export function setProgrammingModel(model: ProgrammingModel): void {
  programmingModel = model;
}

export function getProgrammingModel(): ProgrammingModel | undefined {
  return programmingModel;
}

export function registerFunction(
  metadata: FunctionMetadata,
  handler: Handler,
): { dispose(): void } {
  const key = metadata.name.toLowerCase();
  if (registrations.has(key)) {
    throw new Error(`A function named "${metadata.name}" is already registered.`);
  }
  registrations.set(key, { metadata, handler });
  return { dispose: () => registrations.delete(key) };
}

/** Hooks (app start, pre/post invocation) are not run by the stand-in. */
export function registerHook(): { dispose(): void } {
  return { dispose: () => undefined };
}

export function log(level: string, category: string, message: string): void {
  logSink(level, category, message);
}

/** Every function the app registered, keyed by lower-cased name. */
export function getRegistrations(): ReadonlyMap<string, Registration> {
  return registrations;
}

export function getRegistration(name: string): Registration {
  const registration = registrations.get(name.toLowerCase());
  if (!registration) {
    throw new Error(`No function named "${name}" is registered.`);
  }
  return registration;
}

export function setLogSink(sink: LogSink): void {
  logSink = sink;
}
