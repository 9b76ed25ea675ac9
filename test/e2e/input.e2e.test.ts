/**
 * Unusual input on the real engine: instance IDs beyond ASCII get a 202 whose links address them,
 * input nested deeper than the engine reads is refused before anything starts, and each job's own
 * input check refuses a start it would fail on.
 */
import { BASE, getStatus, start, statusUrl, uniqueId, type Answer, type Problem } from './http';

async function expectNothingStarted(id: string): Promise<void> {
  expect((await getStatus(statusUrl(id))).status).toBe(404);
}

function expectProblem(answer: Answer<Problem>, status: number, type: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.json).toMatchObject({ type: `urn:durable-singleton:problem:${type}`, status });
}

/** The ID in a link's `/instances/{id}` segment, decoded. */
function addressedId(link: string): string | undefined {
  const segment = /\/instances\/([^/?#]*)/.exec(link)?.[1];
  return segment === undefined ? undefined : decodeURIComponent(segment);
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('instance IDs beyond ASCII', () => {
  test.each([
    ['Latin-1', 'café'],
    ['an emoji', '\u{1F600}'],
    ['a non-Latin script', '日本'],
    ['Greek and an inner space', 'Ωmega run'],
    ['URL punctuation', "a&b=c;d:e!f*g(h)i,j$k~l[m]n|o^p'q"],
  ])(
    '%s → 202 whose every link addresses that ID; the status link reports it',
    async (_what, label) => {
      const id = `${label}-${uniqueId('id')}`;
      const started = await start('processBatch', id, { items: 1 });
      expect(started.status).toBe(202);
      expect(started.json.id).toBe(id);
      const links = started.json as unknown as Record<string, string>;
      for (const name of [
        'statusQueryGetUri',
        'sendEventPostUri',
        'terminatePostUri',
        'purgeHistoryDeleteUri',
      ]) {
        // Only ASCII: a client can send the link as given.
        expect(links[name]).toMatch(/^[\x21-\x7e]+$/);
        expect(addressedId(links[name]!)).toBe(id);
      }
      expect(started.headers.get('location')).toBe(started.json.statusQueryGetUri);
      expect(started.headers.get('retry-after')).toBe('10');

      const status = await getStatus(started.json.statusQueryGetUri);
      expect([200, 202]).toContain(status.status);
      expect(status.json.instanceId).toBe(id);
      expect(status.json.name).toBe('processBatch');
    },
  );

  test('an attach answers 200 with the same links', async () => {
    const id = `日本-${uniqueId('attach')}`;
    const started = await start('periodicSync', id, { intervalSeconds: 60 });
    expect(started.status).toBe(202);
    const attached = await start('periodicSync', id, undefined, {
      onConflict: 'attach',
    });
    expect(attached.status).toBe(200);
    expect(attached.json.statusQueryGetUri).toBe(started.json.statusQueryGetUri);
    const stop = await fetch(started.json.terminatePostUri.replace('{text}', 'e2e'), {
      method: 'POST',
    });
    expect(stop.status).toBe(202);
  });

  test("an ID sent as a lone surrogate's bytes (%ED%A0%80, not UTF-8) → 400, nothing started", async () => {
    // U+D800 encoded as if it were UTF-8: the bridge leaves it encoded, as Kestrel does, so the app sees '%'.
    const id = uniqueId('surrogate');
    const answer = await fetch(`${BASE}/api/orchestrators/processBatch/${id}%ED%A0%80`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"items":1}',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    await expectNothingStarted(id);
  });
});

test('length counts UTF-16 code units: 256 of them (astral characters) → 202, 257 → 400', async () => {
  const base = uniqueId('len');
  const fill = (units: number) =>
    base + (units % 2 === 1 ? 'x' : '') + '\u{1F600}'.repeat(Math.floor(units / 2));
  const longest = fill(256 - base.length);
  expect(longest).toHaveLength(256);
  const started = await start('processBatch', longest, { items: 1 });
  expect(started.status).toBe(202);
  expect((await getStatus(started.json.statusQueryGetUri)).json.instanceId).toBe(longest);

  const tooLong = `${longest}y`;
  const refused = await start('processBatch', tooLong, { items: 1 });
  expect(refused.status).toBe(400);
  await expectNothingStarted(tooLong);
});

test("a '+' → 400 naming it: the engine's HTTP API reads it as a space", async () => {
  const id = `a+b-${uniqueId('plus')}`;
  const answer = await start('processBatch', id, { items: 1 });
  expect(answer.status).toBe(400);
  expect(answer.json).toMatchObject({ character: 'U+002B' });
  await expectNothingStarted(id);
  await expectNothingStarted(id.replace('+', ' '));
});

describe('input nesting: the engine reads 64 levels', () => {
  test('the engine itself starts a 64-deep input and refuses a 65-deep one', async () => {
    const webhook = `${BASE}/runtime/webhooks/durabletask/orchestrators/processBatch`;
    const post = (id: string, body: string) =>
      fetch(`${webhook}/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const deep64 = uniqueId('engine64');
    expect((await post(deep64, nested(64))).status).toBe(202);
    const deep65 = uniqueId('engine65');
    const refused = await post(deep65, nested(65));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/MaxDepth of 64/);
    await expectNothingStarted(deep65);
  });

  test('the starter refuses a 65-deep body with 400 invalid-input, nothing started', async () => {
    const id = uniqueId('deep65');
    const answer = await start('processBatch', id, undefined, {}, nested(65));
    expectProblem(answer, 400, 'invalid-input');
    expect(answer.json.detail).toMatch(/deeper than 64/);
    await expectNothingStarted(id);
  });

  test("the starter lets a 64-deep body through to the job's own check", async () => {
    // No exposed job takes an array, so the job's check answers: not the depth.
    const id = uniqueId('deep64');
    const answer = await start('processBatch', id, undefined, {}, nested(64));
    expectProblem(answer, 400, 'invalid-input');
    expect(answer.json.detail).not.toMatch(/deeper/);
    expect(answer.json.detail).toMatch(/must be a JSON object/);
    await expectNothingStarted(id);
  });
});

describe("each job's input check runs before the start", () => {
  test.each([
    ['processBatch', { items: 0 }, /items/],
    ['periodicSync', { intervalSeconds: 0 }, /intervalSeconds/],
    ['processBatch', { items: 2, colour: 'red' }, /colour/],
    ['periodicSync', { interval: 5 }, /interval/],
  ])(
    '%s with %p → 400 invalid-input naming the field; no instance exists',
    async (job, input, field) => {
      const id = uniqueId(`checked-${job}`);
      const answer = await start(job, id, input);
      expectProblem(answer, 400, 'invalid-input');
      expect(answer.json.detail).toMatch(field);
      const errors = (answer.json as unknown as { errors: string[] }).errors;
      expect(errors.join('\n')).toMatch(field);
      await expectNothingStarted(id);
    },
  );
});
