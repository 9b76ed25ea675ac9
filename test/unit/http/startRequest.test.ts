import { parseStartRequest, type StartHttpRequest } from '../../../src/http/startRequest';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';

exposeForSingletonStart('unitJob');
exposeForSingletonStart('checkedJob', {
  input: (raw) =>
    raw === null || (typeof raw === 'object' && 'size' in raw && raw.size === 1)
      ? { ok: true }
      : { ok: false, problems: ['size must be 1', 'no other property is allowed'] },
});

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
      command: { instanceId: 'a', input: '12345678', onConflict: 'reject' },
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
      command: { onConflict: 'attach' },
    });
  });
});

describe("parseStartRequest: the orchestrator's input check", () => {
  it('refuses input the check refuses with 400 invalid-input listing every problem', async () => {
    const { req } = request({}, '{"size":2}', { functionName: 'checkedJob' });
    const parsed = await parseStartRequest(req, 100);
    expect(parsed).toMatchObject({
      ok: false,
      problem: {
        status: 400,
        type: 'urn:durable-singleton:problem:invalid-input',
        errors: ['size must be 1', 'no other property is allowed'],
      },
    });
    expect(!parsed.ok && parsed.problem.detail).toMatch(/checkedJob.*size must be 1/);
  });

  it("passes the caller's own input on, and no body as null", async () => {
    const accepted = await parseStartRequest(
      request({}, '{"size":1}', { functionName: 'checkedJob' }).req,
      100,
    );
    expect(accepted).toMatchObject({ ok: true, command: { input: { size: 1 } } });
    const empty = await parseStartRequest(request({}, '', { functionName: 'checkedJob' }).req, 100);
    expect(empty).toMatchObject({ ok: true, command: { input: null } });
  });
});

describe('parseStartRequest: instance IDs', () => {
  it('names the refused character in the problem', async () => {
    const { req } = request({}, '');
    const parsed = await parseStartRequest(
      { ...req, params: { functionName: 'unitJob', instanceId: 'x\uD800' } },
      100,
    );
    expect(parsed).toMatchObject({
      ok: false,
      problem: { status: 400, character: 'U+D800', instanceId: 'x\uD800' },
    });
  });
});
