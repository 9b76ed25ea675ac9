/** Reading a function's bindings the way the host does: its one trigger, its other inputs and outputs. */
import type { BindingMetadata, FunctionMetadata } from './types';

export interface NamedBinding {
  readonly name: string;
  readonly binding: BindingMetadata;
}

/** The function's trigger (an `in` binding whose type ends in `Trigger`), or undefined. */
export function findTrigger(metadata: FunctionMetadata): NamedBinding | undefined {
  for (const [name, binding] of Object.entries(metadata.bindings)) {
    if (binding.direction === 'in' && /trigger$/i.test(binding.type)) {
      return { name, binding };
    }
  }
  return undefined;
}

const DURABLE_CLIENT = /^(durableClient|orchestrationClient)$/;

/** The durable client input bindings (filled with the extension's client binding data). */
export function durableClientInputs(metadata: FunctionMetadata): NamedBinding[] {
  return Object.entries(metadata.bindings)
    .filter(([, b]) => b.direction === 'in' && DURABLE_CLIENT.test(b.type))
    .map(([name, binding]) => ({ name, binding }));
}

/** The output bindings other than the HTTP answer (blob, queue, table, …). */
export function nonHttpOutputs(metadata: FunctionMetadata): NamedBinding[] {
  return Object.entries(metadata.bindings)
    .filter(([, b]) => b.direction !== 'in' && b.type.toLowerCase() !== 'http')
    .map(([name, binding]) => ({ name, binding }));
}
