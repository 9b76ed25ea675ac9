/**
 * A counter of answered requests, made at its first use (the global meter provider may be set up
 * after the decorator that counts is built) and reused: the one set-up the signal, operator and
 * schedule telemetry share.
 */
import { metrics, type Attributes, type Counter, type Meter } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE } from './names';

export function outcomeCounter(
  meter: Meter | undefined,
  name: string,
  options: { readonly description: string; readonly unit: string },
): (attributes: Attributes) => void {
  let counter: Counter | undefined;
  return (attributes) => {
    counter ??= (meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE)).createCounter(name, options);
    counter.add(1, attributes);
  };
}
