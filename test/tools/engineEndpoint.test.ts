import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import {
  clientBindingThrough,
  createEngineEndpoint,
  parseClientBinding,
  TOKEN_HEADER,
} from '../../tools/local-host/engine-endpoint';
import type { ClientBinding } from '../../tools/local-host/http/front-door';

const bindingJson = JSON.stringify({
  taskHubName: 'Hub',
  rpcBaseUrl: 'http://127.0.0.1:30001/durabletask',
});

describe('the engine endpoint of a launch', () => {
  let server: http.Server;
  let url: string;
  let received: ClientBinding[];

  beforeEach(async () => {
    received = [];
    server = createEngineEndpoint({
      token: 'launch-a',
      verbose: false,
      onClientBinding: (binding) => received.push(binding),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client-binding`;
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a client binding from another launch’s engine (no or another token)', async () => {
    const none = await fetch(url, { method: 'POST', body: bindingJson });
    const other = await fetch(url, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: 'launch-b' },
      body: bindingJson,
    });
    expect([none.status, other.status]).toEqual([403, 403]);
    expect(received).toEqual([]);
  });

  it('takes the binding from its own engine, with the RPC base URL ending in a slash', async () => {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: 'launch-a' },
      body: bindingJson,
    });
    expect(answer.status).toBe(200);
    expect(received).toEqual([
      expect.objectContaining({
        json: bindingJson,
        rpcBaseUrl: 'http://127.0.0.1:30001/durabletask/',
      }),
    ]);
  });

  it('tells anyone on the loopback the binding as the extension produced it, once it has it', async () => {
    expect((await fetch(url)).status).toBe(404);
    await fetch(url, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: 'launch-a' },
      body: bindingJson,
    });
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(bindingJson);
  });
});

describe('a binding sent through another port (a fault proxy)', () => {
  it('points the client at that port on the webhook path, the rest unchanged', () => {
    const produced = parseClientBinding(
      JSON.stringify({
        taskHubName: 'Hub',
        baseUrl: 'http://localhost:7071/runtime/webhooks/durabletask',
        rpcBaseUrl: 'http://127.0.0.1:30001/durabletask/',
      }),
    );
    const through = clientBindingThrough(produced, 17432);
    expect(through.rpcBaseUrl).toBe('http://127.0.0.1:17432/runtime/webhooks/durabletask/');
    expect(JSON.parse(through.json)).toEqual({
      taskHubName: 'Hub',
      baseUrl: 'http://localhost:7071/runtime/webhooks/durabletask',
      rpcBaseUrl: 'http://127.0.0.1:17432/runtime/webhooks/durabletask/',
    });
  });
});
