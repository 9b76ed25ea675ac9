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
      const log = { invocationId: 'inv-1', warn: jest.fn() };
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

  it("takes the links' origin from the configured one, never from the request (a rewritten Host)", async () => {
    const log = { invocationId: 'inv-1', warn: jest.fn() };
    const behindProxy = {
      url: 'http://10.0.0.4:80/api/orchestrators/job/x',
      linkOrigin: 'https://jobs.contoso.com',
    };
    const answer = await read(
      renderResult({ kind: 'started', instanceId: 'x' }, behindProxy, client(), log),
    );
    const links = Object.entries(answer.json).filter(([key]) => key.endsWith('Uri'));
    expect(links.length).toBeGreaterThan(4);
    for (const [, link] of links)
      expect(link.startsWith('https://jobs.contoso.com/runtime/')).toBe(true);
    expect(answer.headers.location).toBe(answer.json.statusQueryGetUri);
  });

  it('answers an attach with the same links, 200 and the status found, without Location', async () => {
    const log = { invocationId: 'inv-1', warn: jest.fn() };
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
    const log = { invocationId: 'inv-1', warn: jest.fn() };
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
    const log = { invocationId: 'inv-1', warn: jest.fn() };
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
    const log = { invocationId: 'inv-1', warn: jest.fn() };
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

/** A problem answer, as the host would send it. */
function readProblem(answer: unknown) {
  const init = answer as { status: number; body: string };
  return { status: init.status, json: JSON.parse(init.body) as Record<string, string> };
}

describe('renderResult: 5xx answers say what to do, not what a dependency said', () => {
  const log = { invocationId: 'inv-7', warn: jest.fn() };
  const dependencyText =
    'Starting the orchestration: The operation failed with an unexpected status code: 500. {"Message":"x","StorageRequestId":"a1b2"}';

  it.each([
    ['unavailable', 503, 'backend-unavailable', /may or may not have happened\. Retry later/],
    ['failed', 502, 'backend-failure', /nothing was started/],
  ] as const)(
    '%s → %d %s with a generic detail and the invocation ID',
    async (kind, status, type, detail) => {
      const answer = readProblem(
        renderResult({ kind, detail: dependencyText }, request, client(), log),
      );
      expect(answer.status).toBe(status);
      expect(answer.json).toMatchObject({
        type: `urn:durable-singleton:problem:${type}`,
        invocationId: 'inv-7',
      });
      expect(answer.json.detail).toMatch(detail);
      expect(JSON.stringify(answer.json)).not.toMatch(/StorageRequestId|status code|Starting the/);
    },
  );

  it("a restart's timeout keeps the starter's own detail: nothing was started", () => {
    const detail =
      "The running instance 'x' was asked to terminate but did not end within 500 ms; nothing was started.";
    const answer = readProblem(
      renderResult({ kind: 'unavailable', detail, restartTimedOut: true }, request, client(), log),
    );
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ detail, invocationId: 'inv-7' });
  });

  it('a misconfiguration names the setting (never its value) with the invocation ID', async () => {
    const answer = readProblem(
      renderResult(
        {
          kind: 'misconfigured',
          detail: 'App setting SINGLETON_LOCK_WAIT_MS must be an integer from 0 to 120000.',
        },
        request,
        client(),
        log,
      ),
    );
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({
      detail: 'App setting SINGLETON_LOCK_WAIT_MS must be an integer from 0 to 120000.',
      invocationId: 'inv-7',
    });
  });
});
