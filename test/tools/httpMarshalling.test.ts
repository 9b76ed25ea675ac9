/**
 * The functions-core stand-in hands HTTP requests to a function with the Functions host's rules,
 * observed from inside a real `@azure/functions` handler.
 */
import { app, type HttpRequest } from '@azure/functions';
import { findTrigger, getRegistration, invokeHttpFunction } from '../../tools/functions-core';

let seen: { body: string; query: Record<string, string>; params: Record<string, string> };

app.http('marshallingEcho', {
  methods: ['POST'],
  route: 'echo/{id?}',
  handler: async (request: HttpRequest) => {
    seen = {
      body: await request.text(),
      query: Object.fromEntries(request.query),
      params: { ...request.params },
    };
    return { status: 200 };
  },
});

const call = (headers: Record<string, string>, url = 'http://localhost/api/echo') =>
  invokeHttpFunction('marshallingEcho', {
    method: 'POST',
    url,
    headers,
    body: Buffer.from('{"items":1}'),
    params: { id: '' },
  });

describe('HTTP marshalling', () => {
  it('passes the body when Content-Length is positive', async () => {
    await call({ 'content-length': '11' });
    expect(seen.body).toBe('{"items":1}');
  });

  it('passes no body for a chunked request (no Content-Length), as the host does', async () => {
    await call({ 'transfer-encoding': 'chunked' });
    expect(seen.body).toBe('');
  });

  it('joins repeated query values with a comma', async () => {
    await call({}, 'http://localhost/api/echo?onConflict=reject&onConflict=attach&x=1');
    expect(seen.query).toEqual({ onConflict: 'reject,attach', x: '1' });
  });

  it('hands route values through as given', async () => {
    await call({});
    expect(seen.params).toEqual({ id: '' });
  });

  it('finds the trigger binding', () => {
    expect(findTrigger(getRegistration('marshallingEcho').metadata)?.binding.type).toBe(
      'httpTrigger',
    );
  });
});
