/**
 * HTTP marshalling between a request and an HTTP-triggered function, with the Functions host's
 * rules (`GrpcMessageConversionExtensions.ToRpcHttp`): the body only when `Content-Length` is
 * positive, repeated query values joined with `,`, the durable client binding data on every durable
 * client input.
 */
import { durableClientInputs, findTrigger } from './bindings';
import { invoke } from './invocation';
import { getRegistration } from './registry';
import type { RpcTypedData } from './types';

export interface HttpCall {
  readonly method: string;
  readonly url: string;
  /** Lower-case names; several values of one header already joined with `,`. */
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

/** `?a=1&a=2` → `{ a: '1,2' }`, as ASP.NET's `StringValues.ToString()` gives the worker. */
export function queryOf(url: string): Record<string, string> {
  const params = new URL(url).searchParams;
  return Object.fromEntries(
    [...new Set(params.keys())].map((k) => [k, params.getAll(k).join(',')]),
  );
}

/** The host copies a body only when the request declares a positive length (not for chunked ones). */
export function hasDeclaredBody(headers: Readonly<Record<string, string>>): boolean {
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length > 0;
}

function replyOf(http: RpcHttp | undefined): HttpReply {
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

/**
 * Invokes an HTTP-triggered function as the host and worker do for a request: the request as RPC
 * `http` data on the trigger, `clientJson` on every durable client input binding, and the
 * function's HTTP output decoded from RPC. A function that sets no HTTP output answers 204.
 */
export async function invokeHttpFunction(
  name: string,
  call: HttpCall,
  clientJson = '',
): Promise<HttpReply> {
  const { metadata } = getRegistration(name);
  const trigger = findTrigger(metadata);
  if (trigger?.binding.type !== 'httpTrigger') {
    throw new Error(`Function "${name}" has no HTTP trigger.`);
  }
  const { method, url, headers, body, params } = call;
  const http = {
    method,
    url,
    headers,
    body: hasDeclaredBody(headers) && body.length > 0 ? { bytes: body } : undefined,
    params,
    query: queryOf(url),
  };
  const inputData = [
    { name: trigger.name, data: { http } },
    ...durableClientInputs(metadata).map((input) => ({
      name: input.name,
      data: { string: clientJson },
    })),
  ];
  const response = await invoke(name, { inputData, triggerMetadata: {} });

  const output = Object.entries(metadata.bindings).find(
    ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
  )?.[0];
  const data =
    output === undefined || output === '$return'
      ? response.returnValue
      : response.outputData.find((o) => o.name === output)?.data;
  return replyOf(data?.http as RpcHttp | undefined);
}
