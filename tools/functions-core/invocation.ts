/** Invoking a registered function the way the Node worker does. */
import { randomUUID } from 'node:crypto';
import { getProgrammingModel, getRegistration, log } from './registry';
import type { RpcInvocationRequest, RpcInvocationResponse } from './types';

/**
 * `getInvocationModel` → `getArguments` → `invokeFunction` → `getResponse`, with RPC-shaped input
 * and output, as the worker runs every invocation.
 */
export async function invoke(
  name: string,
  request: RpcInvocationRequest,
): Promise<RpcInvocationResponse> {
  const programmingModel = getProgrammingModel();
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
    log,
  });
  const { context, inputs } = await model.getArguments();
  const result = await model.invokeFunction(context, inputs, handler);
  return model.getResponse(context, result);
}
