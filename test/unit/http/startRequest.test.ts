import { parseStartRequest, type StartHttpRequest } from '../../../src/http/startRequest';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';

exposeForSingletonStart('unitJob');

function request(headers: Record<string, string>, body: string) {
  const read = jest.fn(() => Promise.resolve(new TextEncoder().encode(body).buffer));
  const req: StartHttpRequest = {
    params: { functionName: 'unitJob', instanceId: 'a' },
    query: new URLSearchParams(),
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
