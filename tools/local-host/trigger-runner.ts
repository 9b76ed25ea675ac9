/**
 * Runs the app's timer and storage-queue functions for the engine, through `@azure/functions`'
 * invocation model, with what the Functions host sends a Node worker: the trigger value and the
 * trigger metadata as RPC typed data (the engine shapes them as the host does; see
 * engine/WorkerValues.cs), and the durable client binding data on every durable client input.
 */
import { durableClientInputs, findTrigger, getRegistration, invoke } from '../functions-core';
import type { RpcTypedData } from '../functions-core';
import type { RunResult } from './app-runner';
import { log } from './log';
import { errorParts, failureMessage } from './rpc-data';

/** Typed data as the engine sends it: bytes in base64. */
export interface EngineTypedData {
  readonly string?: string;
  readonly json?: string;
  readonly bytes?: string;
  readonly double?: number;
}

/** One invocation, as the engine's stub sends it. */
export interface TriggerCall {
  readonly data: EngineTypedData;
  readonly triggerMetadata: Readonly<Record<string, EngineTypedData>>;
  /** Durable client binding data the extension produced, by input binding name. */
  readonly clients: Readonly<Record<string, string | null>>;
}

export interface TriggerOptions {
  readonly verbose: boolean;
  /** The client binding data as the app gets it (the chaos suite routes it through a proxy). */
  readonly clientJson: (json: string) => string;
}

/** Engine typed data → RPC typed data (the worker's `bytes` are a byte array). */
export function toRpcTypedData(data: EngineTypedData): RpcTypedData {
  if (typeof data.bytes === 'string') return { bytes: Buffer.from(data.bytes, 'base64') };
  return { ...data };
}

/** What the log says about the invocation: the queue message's dequeue count, when there is one. */
function describe(kind: string, call: TriggerCall): string {
  const count = call.triggerMetadata.DequeueCount?.json;
  return kind === 'queueTrigger' && count !== undefined ? ` (dequeue count ${count})` : '';
}

export async function runTrigger(
  name: string,
  call: TriggerCall,
  options: TriggerOptions,
): Promise<RunResult> {
  const { metadata } = getRegistration(name);
  const trigger = findTrigger(metadata);
  if (!trigger) throw new Error(`Function "${name}" has no trigger.`);
  const kind = trigger.binding.type === 'timerTrigger' ? 'timer' : 'queue';
  const started = Date.now();
  const inputData = [
    { name: trigger.name, data: toRpcTypedData(call.data) },
    ...durableClientInputs(metadata).map((input) => {
      const json = call.clients[input.name];
      // No binding data from the extension: the host would send empty typed data.
      return { name: input.name, data: json ? { string: options.clientJson(json) } : {} };
    }),
  ];
  const triggerMetadata = Object.fromEntries(
    Object.entries(call.triggerMetadata).map(([k, v]) => [k, toRpcTypedData(v)]),
  );
  const what = `${kind} function ${name}${describe(trigger.binding.type, call)}`;
  try {
    await invoke(name, { inputData, triggerMetadata });
    log(`${what} ran (${Date.now() - started} ms)`);
    return { ok: true, result: 'null' };
  } catch (err) {
    const { message, stack } = errorParts(err);
    log(`${what} failed: ${failureMessage(message)}`);
    if (options.verbose) log(stack);
    return { ok: false, message, stack };
  }
}
