/**
 * Stand-in for `@azure/functions-core`, the module the Azure Functions Node worker provides at run
 * time. `@azure/functions` hands it the programming model and every registration; here they are
 * recorded so tests and the local host can read the metadata the host would see and invoke the
 * handlers through `@azure/functions`' own invocation model, exactly as the worker does.
 *
 * Resolve it under the name `@azure/functions-core` (jest `moduleNameMapper`, or `install()` below
 * for plain Node) before the app's function files are loaded.
 */
import { randomUUID } from 'node:crypto';
import Module from 'node:module';

export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out' | 'inout';
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingMetadata>;
  [key: string]: unknown;
}

type Handler = (...args: unknown[]) => unknown;

export interface Registration {
  metadata: FunctionMetadata;
  handler: Handler;
}

/** RPC typed data, as the host sends it to the worker. */
export type RpcTypedData = Record<string, unknown>;

export interface RpcInvocationRequest {
  inputData: { name: string; data: RpcTypedData }[];
  triggerMetadata?: Record<string, RpcTypedData>;
}

export interface RpcInvocationResponse {
  invocationId: string;
  outputData: { name: string; data: RpcTypedData }[];
  returnValue?: RpcTypedData;
}

export type LogSink = (level: string, category: string, message: string) => void;

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: Handler): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: unknown): InvocationModel;
}

const registrations = new Map<string, Registration>();
let programmingModel: ProgrammingModel | undefined;
let logSink: LogSink = () => undefined;

// ---- the API `@azure/functions` calls -------------------------------------------------------

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

export function registerHook(): { dispose(): void } {
  return { dispose: () => undefined };
}

export function log(level: string, category: string, message: string): void {
  logSink(level, category, message);
}

// ---- helpers for the tests and the local host ------------------------------------------------

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

/**
 * Invokes a registered function the way the Node worker does: `getInvocationModel` →
 * `getArguments` → `invokeFunction` → `getResponse`, with RPC-shaped input and output.
 */
export async function invoke(
  name: string,
  request: RpcInvocationRequest,
): Promise<RpcInvocationResponse> {
  if (!programmingModel) {
    throw new Error('@azure/functions has not registered its programming model.');
  }
  const { metadata, handler } = getRegistration(name);
  const invocationId = randomUUID();
  const model = programmingModel.getInvocationModel({
    invocationId,
    request: { ...request, invocationId },
    metadata,
    state: 'invocation',
    log: (level: string, category: string, message: string) => logSink(level, category, message),
  });
  const { context, inputs } = await model.getArguments();
  const result = await model.invokeFunction(context, inputs, handler);
  return model.getResponse(context, result);
}

export interface HttpCall {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Route values, already matched against the function's route template. */
  readonly params: Readonly<Record<string, string>>;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface RpcHttp {
  statusCode?: string | number;
  headers?: Record<string, string>;
  body?: RpcTypedData;
}

const DURABLE_CLIENT = /^(durableClient|orchestrationClient)$/;

/**
 * Invokes an HTTP-triggered function as the host and worker do for an HTTP request: the request as
 * RPC `http` data on the trigger, `clientJson` on every durable client input binding, and the
 * function's HTTP output decoded from RPC. A function that sets no HTTP output answers 204.
 */
export async function invokeHttp(
  name: string,
  call: HttpCall,
  clientJson = '',
): Promise<HttpReply> {
  const bindings = Object.entries(getRegistration(name).metadata.bindings);
  const trigger = bindings.find(([, b]) => b.type === 'httpTrigger')?.[0];
  if (!trigger) {
    throw new Error(`Function "${name}" has no HTTP trigger.`);
  }
  const { method, url, headers, body, params } = call;
  const inputData = [
    {
      name: trigger,
      data: {
        http: {
          method,
          url,
          headers,
          body: body.length > 0 ? { bytes: body } : undefined,
          params,
          query: Object.fromEntries(new URL(url).searchParams),
        },
      },
    },
    ...bindings
      .filter(([, b]) => b.direction === 'in' && DURABLE_CLIENT.test(b.type))
      .map(([input]) => ({ name: input, data: { string: clientJson } })),
  ];
  const response = await invoke(name, { inputData, triggerMetadata: {} });

  const output = bindings.find(
    ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
  )?.[0];
  const data =
    output === undefined || output === '$return'
      ? response.returnValue
      : response.outputData.find((o) => o.name === output)?.data;
  const http = data?.http as RpcHttp | undefined;
  if (!http) {
    return { status: 204, headers: {}, body: Buffer.alloc(0) };
  }
  const { bytes, string, json } = http.body ?? {};
  const payload =
    bytes !== undefined
      ? Buffer.from(bytes as Uint8Array)
      : Buffer.from(
          typeof string === 'string' ? string : typeof json === 'string' ? json : '',
          'utf8',
        );
  return {
    status: Number(http.statusCode ?? 200) || 200,
    headers: http.headers ?? {},
    body: payload,
  };
}

/** Makes `require('@azure/functions-core')` resolve to this module in a plain Node process. */
export function install(): void {
  const moduleWithResolver = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = moduleWithResolver._resolveFilename;
  moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === '@azure/functions-core') {
      return __filename;
    }
    return original.call(this, request, ...rest);
  };
}
