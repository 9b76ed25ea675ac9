/**
 * The raise adapter against a local HTTP server answering as the Durable extension does: 202
 * taken, 410 ended, 404 absent, and the 500 its client throws when the run ends between the
 * handler's status read and its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { raiseEvent } from '../../../src/durable/eventRaising';

let server: Server;
let base: string;
let answer: { status: number; body: string } = { status: 202, body: '' };
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runtime/webhooks/durabletask/instances?code=k`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const raise = () => raiseEvent(base, 'id 1', 'go', { n: 1 }, 1_000);

/** The 500 the extension answered in chaos scenario h (its message; the stack cut). */
const endedBetweenReads = (state: string) =>
  JSON.stringify({
    Message: 'Something went wrong while processing your request',
    ExceptionMessage: `Cannot raise event ping for orchestration instance chaos1-h2-race1 because instance is in ${state} state`,
    ExceptionType: 'System.InvalidOperationException',
  });

describe('raiseEvent', () => {
  it.each([
    [202, 'raised'],
    [410, 'ended'],
    [404, 'absent'],
  ])(
    'reads %i as %s, at the instance’s raiseEvent address with the query kept',
    async (status, raised) => {
      answer = { status, body: '' };
      await expect(raise()).resolves.toBe(raised);
      expect(seen.at(-1)).toBe(
        'POST /runtime/webhooks/durabletask/instances/id%201/raiseEvent/go?code=k',
      );
    },
  );

  it.each(['Completed', 'Failed', 'Terminated', 'Canceled'])(
    'reads the 500 for a run found %s by the extension’s second read as ended',
    async (state) => {
      answer = { status: 500, body: endedBetweenReads(state) };
      await expect(raise()).resolves.toBe('ended');
    },
  );

  it('fails on any other 500, naming it', async () => {
    answer = { status: 500, body: endedBetweenReads('Running').replace('raise event', 'do it') };
    await expect(raise()).rejects.toMatchObject({
      dependency: 'durable',
      message: expect.stringContaining('Raising the event: HTTP 500') as string,
    });
    answer = { status: 500, body: '{"ExceptionType":"System.IO.IOException"}' };
    await expect(raise()).rejects.toMatchObject({ dependency: 'durable' });
  });
});
