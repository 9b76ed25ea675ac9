/**
 * App settings a timer's schedule or a queue's name refers to as `%NAME%`. The engine resolves them
 * from its environment (the Functions host from its app settings, which are environment variables
 * too); an unresolved one makes WebJobs fail indexing and the whole engine stop, where the host
 * would only disable that function. So the launcher refuses to start instead, naming the function
 * and the setting.
 */
import { findTrigger, type Registration } from '../functions-core';

/** The binding properties the engine resolves `%NAME%` in, per trigger type. */
const RESOLVED: Readonly<Record<string, readonly string[]>> = {
  timerTrigger: ['schedule'],
  queueTrigger: ['queueName'],
};

/** One sentence per `%NAME%` that names no app setting. */
export function unresolvedSettings(
  registrations: Iterable<Registration>,
  env: NodeJS.ProcessEnv,
): string[] {
  const problems: string[] = [];
  for (const { metadata } of registrations) {
    const trigger = findTrigger(metadata);
    for (const property of RESOLVED[trigger?.binding.type ?? ''] ?? []) {
      const value = trigger?.binding[property];
      if (typeof value !== 'string') continue;
      for (const [, name] of value.matchAll(/%([^%]+)%/g)) {
        if (!env[name])
          problems.push(
            `Function '${metadata.name}': its ${property} '${value}' names the app setting ${name}, which is not set.`,
          );
      }
    }
  }
  return problems;
}

/** Throws one error listing every unresolved setting. */
export function assertSettingsResolve(
  registrations: Iterable<Registration>,
  env: NodeJS.ProcessEnv,
): void {
  const problems = unresolvedSettings(registrations, env);
  if (problems.length > 0) {
    throw new Error(`${problems.join('\n')}\nSet them in the environment of the local host.`);
  }
}
