/** Small helpers for node:http servers: read a body, send an answer, flatten request headers. */
import type http from 'node:http';

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Lower-case names, repeated headers joined with `,` (ASP.NET's `StringValues.ToString()`). */
export function requestHeaders(
  req: http.IncomingMessage,
  skip: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, values] of Object.entries(req.headersDistinct)) {
    if (values !== undefined && !skip.has(key)) headers[key] = values.join(',');
  }
  return headers;
}
