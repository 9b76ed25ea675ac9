import { parseStartRequest, type StartHttpRequest } from '../../../src/http/startRequest';

function request(
  headers: Record<string, string>,
  body: string,
  {
    query = new URLSearchParams(),
    url = undefined as string | undefined,
    functionName = 'unitJob',
  } = {},
) {
  const read = jest.fn(() => Promise.resolve(new TextEncoder().encode(body).buffer));
  const req: StartHttpRequest = {
    url,
    params: { functionName, instanceId: 'a' },
    query,
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
    arrayBuffer: read,
  };
  return { req, read };
}

describe('parseStartRequest: body size', () => {
  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { req, read } = request({ 'content-length': '11' }, '{}');
    const parsed = await parseStartRequest(req, 10);
    expect(parsed).toMatchObject({ ok: false, problem: { status: 413, maxInputBytes: 10 } });
    expect(read).not.toHaveBeenCalled();
  });

  it('reads and refuses a body over the limit that declared no length', async () => {
    const { req, read } = request({}, '"123456789"');
    const parsed = await parseStartRequest(req, 10);
    expect(parsed).toMatchObject({ ok: false, problem: { status: 413 } });
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('accepts a body at the limit', async () => {
    const { req } = request({ 'content-length': '10' }, '"12345678"');
    expect(await parseStartRequest(req, 10)).toMatchObject({
      ok: true,
      request: { orchestrator: 'unitJob', instanceId: 'a', input: '12345678' },
    });
  });
});

describe('parseStartRequest: chunked bodies', () => {
  it('refuses Transfer-Encoding: chunked without Content-Length with 411, before reading', async () => {
    const { req, read } = request({ 'transfer-encoding': 'chunked' }, '{}');
    expect(await parseStartRequest(req, 100)).toMatchObject({
      ok: false,
      problem: { status: 411, type: 'urn:durable-singleton:problem:length-required' },
    });
    expect(read).not.toHaveBeenCalled();
  });

  it('reads a body that declares its length', async () => {
    const { req } = request({ 'transfer-encoding': 'gzip', 'content-length': '2' }, '{}');
    expect(await parseStartRequest(req, 100)).toMatchObject({ ok: true });
  });
});

describe('parseStartRequest: onConflict given more than once', () => {
  it.each<[string, { query?: URLSearchParams; url?: string }]>([
    [
      'several values in the query',
      { query: new URLSearchParams('onConflict=reject&onConflict=attach') },
    ],
    [
      'the values joined with a comma (the Functions host)',
      { query: new URLSearchParams({ onConflict: 'reject,attach' }) },
    ],
    [
      'one value kept, but the URL shows both (a host keeping the last)',
      {
        query: new URLSearchParams({ onConflict: 'attach' }),
        url: 'http://h/api/orchestrators/unitJob/a?onConflict=reject&onConflict=attach',
      },
    ],
  ])('refuses %s with 400', async (_what, where) => {
    const { req } = request({}, '', where);
    const parsed = await parseStartRequest(req, 100);
    expect(parsed).toMatchObject({ ok: false, problem: { status: 400 } });
    expect(!parsed.ok && parsed.problem.detail).toMatch(/at most once/);
  });

  it('accepts one value', async () => {
    const { req } = request({}, '', {
      query: new URLSearchParams({ onConflict: 'attach' }),
      url: 'http://h/api/orchestrators/unitJob/a?onConflict=attach',
    });
    expect(await parseStartRequest(req, 100)).toMatchObject({
      ok: true,
      request: { onConflict: 'attach' },
    });
  });
});

describe('parseStartRequest: what the starter checks, it passes on as it came', () => {
  it('the names and the input, and no body as null', async () => {
    const { req } = request({}, '', { functionName: 'NoSuchJob' });
    expect(await parseStartRequest(req, 100)).toEqual({
      ok: true,
      request: { orchestrator: 'NoSuchJob', instanceId: 'a', input: null },
    });
  });

  it('the Idempotency-Key, unquoted', async () => {
    const { req } = request({ 'idempotency-key': '"k-1"' }, '{"size":1}');
    expect(await parseStartRequest(req, 100)).toEqual({
      ok: true,
      request: {
        orchestrator: 'unitJob',
        instanceId: 'a',
        input: { size: 1 },
        idempotencyKey: 'k-1',
      },
    });
  });

  it('refuses a malformed Idempotency-Key header with 400', async () => {
    const { req } = request({ 'idempotency-key': '"open' }, '');
    expect(await parseStartRequest(req, 100)).toMatchObject({
      ok: false,
      problem: { status: 400, type: 'urn:durable-singleton:problem:invalid-idempotency-key' },
    });
  });
});
