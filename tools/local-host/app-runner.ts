/**
 * Runs the app's orchestrations and activities for the engine, through `@azure/functions`'
 * invocation model, and logs each orchestration's start, continue-as-new, completion and failure.
 */
import { durableClientInputs, findTrigger, getRegistration, invoke } from '../functions-core';
import { log } from './log';
import { errorParts, failureMessage, typedDataToJson } from './rpc-data';

/** What the engine's stubs read: the JSON result, or the failure to rethrow. */
export type RunResult =
  | { readonly ok: true; readonly result: string }
  | { readonly ok: false; readonly message: string; readonly stack: string };

interface OrchestrationState {
  isDone?: boolean;
  actions?: { actionType: number }[][];
}

const ORCHESTRATOR_COMPLETED = 13;
const CONTINUE_AS_NEW = 4;

function describeContext(contextJson: string): { instanceId: string; firstEpisode: boolean } {
  try {
    const ctx = JSON.parse(contextJson) as {
      instanceId?: string;
      history?: { EventType: number }[];
    };
    return {
      instanceId: ctx.instanceId ?? '?',
      firstEpisode: !(ctx.history ?? []).some((e) => e.EventType === ORCHESTRATOR_COMPLETED),
    };
  } catch {
    return { instanceId: '?', firstEpisode: false }; // the orchestrator reports it
  }
}

function inputName(name: string, fallback: string): string {
  return findTrigger(getRegistration(name).metadata)?.name ?? fallback;
}

export async function runOrchestration(name: string, contextJson: string): Promise<RunResult> {
  const { instanceId, firstEpisode } = describeContext(contextJson);
  if (firstEpisode) log(`orchestration ${name} (${instanceId}) started`);
  try {
    const response = await invoke(name, {
      inputData: [{ name: inputName(name, 'context'), data: { string: contextJson } }],
      triggerMetadata: {},
    });
    const result = typedDataToJson(response.returnValue);
    const state = JSON.parse(result) as OrchestrationState | null;
    if ((state?.actions ?? []).flat().some((a) => a?.actionType === CONTINUE_AS_NEW)) {
      log(`orchestration ${name} (${instanceId}) continued as new`);
    } else if (state?.isDone) {
      log(`orchestration ${name} (${instanceId}) completed`);
    }
    return { ok: true, result };
  } catch (err) {
    const { message, stack } = errorParts(err);
    log(`orchestration ${name} (${instanceId}) failed: ${failureMessage(message)}`);
    return { ok: false, message, stack };
  }
}

export async function runActivity(
  name: string,
  input: string | null,
  instanceId: string,
  verbose: boolean,
  bound: {
    /** The durable client inputs' binding data, by input name (absent: none produced). */
    readonly clients: Readonly<Record<string, string | null>>;
    readonly clientJson: (json: string) => string;
  } = { clients: {}, clientJson: (j) => j },
): Promise<RunResult> {
  try {
    const response = await invoke(name, {
      // A null input is sent as empty typed data, which the worker gives as undefined.
      inputData: [
        { name: inputName(name, 'input'), data: input === null ? {} : { string: input } },
        ...durableClientInputs(getRegistration(name).metadata).map((client) => {
          const json = bound.clients[client.name];
          return { name: client.name, data: json ? { string: bound.clientJson(json) } : {} };
        }),
      ],
      triggerMetadata: {},
    });
    if (verbose) log(`activity ${name} (${instanceId}) completed`);
    return { ok: true, result: typedDataToJson(response.returnValue) };
  } catch (err) {
    const { message, stack } = errorParts(err);
    log(`activity ${name} (${instanceId}) failed: ${failureMessage(message)}`);
    return { ok: false, message, stack };
  }
}
