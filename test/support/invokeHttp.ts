/**
 * Drives an HTTP function the way the Node worker does: RPC-shaped input through the stand-in
 * core module's `invoke` (i.e. `@azure/functions`' own invocation model), RPC output decoded.
 */
import { getRegistration, invoke } from '../../tools/functions-core';

export interface HttpCall {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  params: Record<string, string>;
  /** The durable client binding data (JSON). */
  clientJson: string;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Record<string, unknown>;
}

function bindingName(functionName: string, type: string): string {
  const { bindings } = getRegistration(functionName).metadata;
  const entry = Object.entries(bindings).find(([, b]) => b.type === type);
  if (!entry) throw new Error(`Function ${functionName} has no ${type} binding.`);
  return entry[0];
}

export async function invokeHttp(functionName: string, call: HttpCall): Promise<HttpResult> {
  const url = new URL(call.url);
  const body = call.body ?? '';
  const response = await invoke(functionName, {
    inputData: [
      {
        name: bindingName(functionName, 'httpTrigger'),
        data: {
          http: {
            method: call.method ?? 'POST',
            url: call.url,
            headers: { 'content-length': String(Buffer.byteLength(body)), ...call.headers },
            body: body === '' ? {} : { string: body },
            params: call.params,
            query: Object.fromEntries(url.searchParams),
          },
        },
      },
      { name: bindingName(functionName, 'durableClient'), data: { string: call.clientJson } },
    ],
  });
  const rpcOut =
    response.outputData.find((o) => o.data.http)?.data.http ?? response.returnValue?.http;
  const http = rpcOut as {
    statusCode: string;
    headers: Record<string, string>;
    body?: { bytes?: Uint8Array; string?: string };
  };
  const text = http.body?.bytes
    ? Buffer.from(http.body.bytes).toString('utf8')
    : (http.body?.string ?? '');
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Non-JSON bodies are read through `text`.
  }
  return { status: Number(http.statusCode), headers: lowerKeys(http.headers), text, json };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
