/** Shaping values between the worker's RPC data and the JSON text the engine stores. */
import type { RpcTypedData } from '../functions-core';

/** RPC typed data → JSON text of the value (what the extension stores). */
export function typedDataToJson(data: RpcTypedData | undefined): string {
  if (!data) return 'null';
  if (typeof data.json === 'string') return data.json;
  if (typeof data.string === 'string') return JSON.stringify(data.string);
  if (data.int !== undefined) return String(data.int);
  if (data.double !== undefined) return String(data.double);
  if (data.bytes !== undefined)
    return JSON.stringify(Buffer.from(data.bytes as Uint8Array).toString('base64'));
  return 'null';
}

export interface ErrorParts {
  readonly message: string;
  readonly stack: string;
}

export function errorParts(err: unknown): ErrorParts {
  if (err instanceof Error) return { message: err.message, stack: err.stack ?? '' };
  return { message: String(err), stack: '' };
}

const OUT_OF_PROC_DATA = '\n\n$OutOfProcData$:';

/**
 * The message of a worker failure, for the log: an orchestrator's error from the state
 * durable-functions appends (its own message part is just `false`), else the first line.
 */
export function failureMessage(message: string): string {
  const cut = message.indexOf(OUT_OF_PROC_DATA);
  if (cut >= 0) {
    try {
      const state = JSON.parse(message.slice(cut + OUT_OF_PROC_DATA.length)) as { error?: unknown };
      if (typeof state.error === 'string' && state.error) return state.error.split('\n')[0];
    } catch {
      // Not the state JSON: fall back to the message itself.
    }
  }
  return (cut >= 0 ? message.slice(0, cut) : message).split('\n')[0];
}
