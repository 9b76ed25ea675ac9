import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createEngineEndpoint, TOKEN_HEADER } from '../../tools/local-host/engine-endpoint';
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
});
