/**
 * Drives an HTTP function the way the Node worker does (the stand-in core module's
 * `invokeHttpFunction`, i.e. `@azure/functions`' own invocation model), with a string body and a
 * JSON view of the answer.
 */
import { invokeHttpFunction } from '../../tools/functions-core';

export interface HttpCall {
  method?: string;
  url: string;
  /**
   * A `content-length` matching the body is added, as a client sending a plain body would, unless
   * the call sets `transfer-encoding` (a chunked request declares no length).
   */
  headers?: Record<string, string>;
  body?: string;
  params: Record<string, string>;
  /** The durable client binding data (JSON). */
  clientJson: string;
}

export interface HttpResult {
  status: number;
  headers: Readonly<Record<string, string>>;
  text: string;
  json: Record<string, unknown>;
}

export async function invokeHttp(functionName: string, call: HttpCall): Promise<HttpResult> {
  const body = Buffer.from(call.body ?? '', 'utf8');
  const chunked = Object.keys(call.headers ?? {}).some(
    (k) => k.toLowerCase() === 'transfer-encoding',
  );
  // A function that throws is answered 500 by the Functions host; the caller sees only that.
  const reply = await invokeHttpFunction(
    functionName,
    {
      method: call.method ?? 'POST',
      url: call.url,
      headers: { ...(chunked ? {} : { 'content-length': String(body.length) }), ...call.headers },
      body,
      params: call.params,
    },
    call.clientJson,
  ).catch(() => ({ status: 500, headers: {}, body: Buffer.alloc(0) }));
  const text = reply.body.toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Non-JSON bodies are read through `text`.
  }
  return { status: reply.status, headers: reply.headers, text, json };
}
