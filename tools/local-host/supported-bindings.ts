/**
 * What the local host can run: HTTP, orchestration, activity, timer and storage-queue triggers,
 * durable client inputs and the HTTP answer. Anything else would be silently ignored (an output
 * binding writing nothing, a blob trigger never firing, a retry policy never retrying), so the host
 * refuses to start instead, naming the function and the binding.
 */
import type { BindingMetadata, Registration } from '../functions-core';

const TRIGGERS = new Set([
  'httpTrigger',
  'orchestrationTrigger',
  'activityTrigger',
  'timerTrigger',
  'queueTrigger',
]);
const INPUTS = new Set(['durableClient', 'orchestrationClient']);

function problem(name: string, bindingName: string, binding: BindingMetadata): string | undefined {
  const { type, direction } = binding;
  if (direction === 'in' && /trigger$/i.test(type)) {
    if (TRIGGERS.has(type)) return undefined;
    return type === 'entityTrigger'
      ? `Function '${name}' is a durable entity ('${bindingName}': entityTrigger), which the local host does not support.`
      : `Function '${name}' has a ${type} ('${bindingName}'), which the local host never fires; it runs HTTP, orchestration, activity, timer and storage-queue triggers only.`;
  }
  if (direction === 'in') {
    if (INPUTS.has(type)) return undefined;
    return `Function '${name}' has a ${type} input binding ('${bindingName}'), which the local host does not fill.`;
  }
  if (type.toLowerCase() === 'http') return undefined;
  return `Function '${name}' has a ${type} output binding ('${bindingName}'), which the local host does not support: what the function writes to it would be dropped.`;
}

/** One sentence per binding the local host cannot honour; empty when it can run them all. */
export function unsupportedBindings(registrations: Iterable<Registration>): string[] {
  const problems: string[] = [];
  for (const { metadata } of registrations) {
    if (metadata.retryOptions !== undefined && metadata.retryOptions !== null) {
      problems.push(
        `Function '${metadata.name}' has a retry policy ('retry'), which the local host does not apply: a failed invocation would not be retried.`,
      );
    }
    for (const [bindingName, binding] of Object.entries(metadata.bindings)) {
      const found = problem(metadata.name, bindingName, binding);
      if (found) problems.push(found);
    }
  }
  return problems;
}

/** Throws one error listing every unsupported binding, with what to do about it. */
export function assertSupported(registrations: Iterable<Registration>): void {
  const problems = unsupportedBindings(registrations);
  if (problems.length > 0) {
    throw new Error(
      `${problems.join('\n')}\nRemove those bindings, or run the app with func start (npm start).`,
    );
  }
}
