import { HttpResponse } from '@azure/functions';
import { renderResult } from '../../../src/http/answer';
import type { LinkTemplates } from '../../../src/http/checkStatusLinks';
import { durableClientBinding } from '../../support/durableClientBinding';

/** The real client's templates, from binding data as the extension produces it. */
function client(): LinkTemplates {
  const binding = JSON.parse(durableClientBinding('http://127.0.0.1:17071/durabletask/')) as object;
  // The client class itself (its constructor is not in the package's types).
  const { DurableClient } = jest.requireActual<{
    DurableClient: new (data: object) => LinkTemplates;
  }>('durable-functions/lib/src/durableClient/DurableClient');
  return new DurableClient(binding);
}

const request = { url: 'https://jobs.example.com/api/orchestrators/job/x' };

async function read(answer: unknown) {
  const response = answer as HttpResponse;
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    json: (await response.json()) as Record<string, string>,
  };
}

describe('renderResult: the 202 and the attach 200', () => {
  it.each(['café', '日本', '\u{1F600}', 'a b+c&d=e'])(
    'percent-encodes %p in every link, with the request origin, and keeps the raw ID in id',
    async (id) => {
      const log = { warn: jest.fn() };
      const answer = await read(
        renderResult({ kind: 'started', instanceId: id }, request, client(), log),
      );
      expect(answer.status).toBe(202);
      expect(answer.json.id).toBe(id);
      expect(answer.json.statusQueryGetUri).toBe(
        `https://jobs.example.com/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}?taskHub=TestHubName&connection=Storage&code=test-key`,
      );
      expect(answer.json.sendEventPostUri).toContain(
        `/instances/${encodeURIComponent(id)}/raiseEvent/{eventName}?`,
      );
      expect(answer.headers.location).toBe(answer.json.statusQueryGetUri);
      expect(answer.headers['retry-after']).toBe('10');
      expect(log.warn).not.toHaveBeenCalled();
    },
  );

  it('answers an attach with the same links, 200 and the status found, without Location', async () => {
    const log = { warn: jest.fn() };
    const started = await read(
      renderResult({ kind: 'started', instanceId: 'é' }, request, client(), log),
    );
    const attached = await read(
      renderResult(
        { kind: 'attached', instanceId: 'é', runtimeStatus: 'Running' },
        request,
        client(),
        log,
      ),
    );
    expect(attached.status).toBe(200);
    expect(attached.json).toEqual({ ...started.json, runtimeStatus: 'Running' });
    expect(attached.headers.location).toBeUndefined();
  });
});

describe('renderResult: never a 5xx once the instance exists', () => {
  const broken: LinkTemplates = {
    createHttpManagementPayload: () => {
      throw new Error('injected failure');
    },
  };

  it('answers 202 with the ID alone and logs a warning when the links cannot be built', async () => {
    const log = { warn: jest.fn() };
    const answer = await read(
      renderResult({ kind: 'started', instanceId: '日本' }, request, broken, log),
    );
    expect(answer).toMatchObject({ status: 202, json: { id: '日本' } });
    expect(answer.headers['retry-after']).toBe('10');
    expect(log.warn).toHaveBeenCalledWith(
      expect.stringMatching(/'日本' was started.*injected failure/),
    );
  });

  it('answers 202 without Location when the status link would not be a valid header', async () => {
    const log = { warn: jest.fn() };
    const raw: LinkTemplates = {
      createHttpManagementPayload: (id) =>
        ({ id, statusQueryGetUri: `http://hôst/instances/${id}` }) as never,
    };
    const answer = await read(
      renderResult({ kind: 'started', instanceId: 'a' }, request, raw, log),
    );
    expect(answer).toMatchObject({ status: 202, json: { id: 'a' } });
    expect(answer.headers.location).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('answers an attach 200 with the ID and status when the links cannot be built', async () => {
    const log = { warn: jest.fn() };
    const answer = await read(
      renderResult(
        { kind: 'attached', instanceId: 'a', runtimeStatus: 'Pending' },
        request,
        broken,
        log,
      ),
    );
    expect(answer).toMatchObject({ status: 200, json: { id: 'a', runtimeStatus: 'Pending' } });
  });
});
