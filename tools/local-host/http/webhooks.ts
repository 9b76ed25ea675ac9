/** `/runtime/webhooks/durabletask/*` on the front door, forwarded to the extension's own endpoint. */
import type http from 'node:http';
import { readBody, requestHeaders, send } from './http-io';

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'upgrade',
  'te',
  'trailer',
]);

export const WEBHOOK_PATH = /^\/runtime\/webhooks\/durabletask\/?(.*)$/i;

/** Forwards the request to `rpcBaseUrl` + `rest` and copies the answer back; resolves its status. */
export async function forwardToExtension(
  rpcBaseUrl: string,
  rest: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  search: string,
): Promise<number> {
  const body = await readBody(req);
  const method = req.method ?? 'GET';
  const answer = await fetch(rpcBaseUrl + rest + search, {
    method,
    headers: requestHeaders(req, hopByHop),
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
    redirect: 'manual',
  });
  const payload = Buffer.from(await answer.arrayBuffer());
  const outHeaders: Record<string, string> = {};
  answer.headers.forEach((v, k) => {
    if (!hopByHop.has(k) && k !== 'content-encoding') outHeaders[k] = v;
  });
  send(res, answer.status, payload, outHeaders);
  return answer.status;
}
