/** The shapes `@azure/functions` and the Node worker exchange through `@azure/functions-core`. */

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

export type Handler = (...args: unknown[]) => unknown;

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

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: Handler): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: unknown): InvocationModel;
}
