/**
 * What the starter accepts, refuses and answers for unusual input, through the real handler and a
 * loopback extension stand-in: instance IDs, bodies, chunked requests, repeated query keys, the
 * jobs' own input checks, and the answer when its links cannot be built.
 */
import '../../src/functions/periodicSync';
import '../../src/functions/processBatch';
import { FakeExtension } from '../support/fakeExtension';
import { FIXTURES, useSettings } from './starterHarness';
import { linkProblems, problemFormProblems, rawStart, type RawStart } from './startInvariants';

let fake: FakeExtension;
beforeAll(async () => {
  fake = new FakeExtension([...Object.values(FIXTURES), 'processBatch', 'periodicSync']);
  await fake.start();
});
afterAll(() => fake.stop());
beforeEach(() => {
  useSettings({});
  fake.reset();
  fake.instances.clear();
  fake.acceptedStarts.length = 0;
});

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const start = (call: Omit<RawStart, 'rpcBaseUrl' | 'functionName'> & { functionName?: string }) =>
  rawStart({ functionName: FIXTURES.always, rpcBaseUrl: fake.rpcBaseUrl, ...call });

function expectProblem(
  answer: Awaited<ReturnType<typeof rawStart>>,
  status: number,
  type: string,
): void {
  expect(answer.status).toBe(status);
  expect(problemFormProblems(answer)).toEqual([]);
  expect(answer.json?.type).toBe(`urn:durable-singleton:problem:${type}`);
  expect(fake.acceptedStarts).toEqual([]);
}

describe('instance IDs', () => {
  it.each([
    'café',
    'naïve-Ünïcødé',
    '日本',
    'Ωmega',
    'مرحبا',
    '\u{1F600}',
    '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
    'a b',
    'a&b=c;d:e!f*g(h)i,j$k~l[m]n|o^p{q}r"s<t>u`v\'w',
    '...',
    '\u{1F600}'.repeat(128),
  ])('starts %p under exactly that ID, with links that address it', async (id) => {
    const answer = await start({ instanceId: id, body: json({ n: 1 }) });
    expect(answer.status).toBe(202);
    expect(linkProblems(answer, id)).toEqual([]);
    expect(fake.acceptedStarts).toEqual([
      { name: FIXTURES.always, instanceId: id, input: { n: 1 } },
    ]);
  });

  it.each<[string, string | undefined]>([
    ['a\uD800', 'U+D800'],
    ['\uDFFFb', 'U+DFFF'],
    ['.', undefined],
    ['..', undefined],
    ['a%C3%A9', 'U+0025'],
    ['a+b', 'U+002B'],
    ['a\u0085', 'U+0085'],
    ['\u{1F600}'.repeat(128) + 'x', undefined],
  ])('refuses %p with 400 invalid-instance-id naming the character', async (id, character) => {
    const answer = await start({ instanceId: id });
    expectProblem(answer, 400, 'invalid-instance-id');
    expect(answer.json?.character).toBe(character);
    // The rule and the character, never the ID itself (it may carry personal data).
    expect(answer.json?.instanceId).toBeUndefined();
    if (id.length > 2) expect(JSON.stringify(answer.json)).not.toContain(JSON.stringify(id));
  });

  it('treats composed and decomposed forms as two IDs (no Unicode normalization)', async () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    expect((await start({ instanceId: composed })).status).toBe(202);
    const second = await start({ instanceId: decomposed });
    expect(second.status).toBe(202);
    expect(linkProblems(second, decomposed)).toEqual([]);
    expect(fake.acceptedStarts.map((s) => s.instanceId)).toEqual([composed, decomposed]);
  });

  it('answers an attach with the same encoded links, 200', async () => {
    fake.seed('日本', FIXTURES.always, 'Running');
    const answer = await start({ instanceId: '日本', query: 'onConflict=attach' });
    expect(answer.status).toBe(200);
    expect(answer.json?.runtimeStatus).toBe('Running');
    expect(linkProblems(answer, '日本')).toEqual([]);
  });
});

describe('never a 5xx once the start landed', () => {
  it('answers 202 with the ID when the links cannot be made into a Location header', async () => {
    // Injected: a task hub name no header can carry puts non-ASCII into every link's query.
    const answer = await start({ instanceId: 'x', taskHubName: 'Hüb€' });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ id: 'x' });
    expect(answer.headers['retry-after']).toBe('10');
    expect(fake.acceptedStarts).toEqual([{ name: FIXTURES.always, instanceId: 'x', input: null }]);
  });
});

describe('bodies the engine would refuse or change', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('starts a body nested 64 deep, the engine limit', async () => {
    const answer = await start({
      instanceId: 'deep64',
      body: new TextEncoder().encode(nested(64)),
    });
    expect(answer.status).toBe(202);
    expect(fake.acceptedStarts[0]?.input).toEqual(JSON.parse(nested(64)));
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['65 deep', new TextEncoder().encode(nested(65)), /deeper than 64/],
    ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
    ['a number beyond a double', new TextEncoder().encode('{"n":1e999}'), /too large/],
    ['an unsafe integer', new TextEncoder().encode('{"n":9007199254740993}'), /rounded/],
    ['a repeated key', new TextEncoder().encode('{"n":1,"n":2}'), /repeats the key/],
    ['a lone surrogate', new TextEncoder().encode('"\\udbff"'), /lone surrogate U\+DBFF/],
  ])('refuses a body %s with 400 invalid-input', async (_what, body, detail) => {
    const answer = await start({ instanceId: 'body', body });
    expectProblem(answer, 400, 'invalid-input');
    expect(answer.json?.detail).toMatch(detail);
  });
});

describe('chunked request bodies (issue 17)', () => {
  it('answers 411 length-required to Transfer-Encoding: chunked without Content-Length', async () => {
    const answer = await start({
      instanceId: 'chunked',
      headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
      body: json({ items: 3 }),
    });
    expectProblem(answer, 411, 'length-required');
  });

  it('answers 411 even when the host already dropped the body, as the Functions host does', async () => {
    const answer = await start({
      instanceId: 'chunked',
      headers: { 'transfer-encoding': 'chunked' },
    });
    expectProblem(answer, 411, 'length-required');
  });
});

describe('repeated query keys (issue 17)', () => {
  it.each([
    'onConflict=reject&onConflict=attach',
    'onConflict=attach&onConflict=attach',
    'onConflict=reject%2Cattach',
  ])('refuses ?%s with 400 invalid-conflict-policy', async (query) => {
    const answer = await start({ instanceId: 'repeated', query });
    expectProblem(answer, 400, 'invalid-conflict-policy');
    expect(answer.json?.detail).toMatch(/at most once/);
  });
});

describe("the jobs' input checks (issue 13)", () => {
  it.each<[string, unknown, RegExp]>([
    ['processBatch', { items: 0 }, /items must be an integer from 1 to 10000/],
    ['processBatch', { items: 3, colour: 'red' }, /colour/],
    ['processBatch', [1], /must be a JSON object/],
    ['periodicSync', { intervalSeconds: 0 }, /intervalSeconds/],
    ['periodicSync', { interval: 5 }, /interval/],
  ])(
    '%s refuses %p with 400 invalid-input naming the field',
    async (functionName, input, field) => {
      const answer = await start({ functionName, instanceId: 'checked', body: json(input) });
      expectProblem(answer, 400, 'invalid-input');
      expect(answer.json?.detail).toMatch(field);
      expect((answer.json?.errors as string[]).join('\n')).toMatch(field);
      expect(fake.requests).toEqual([]);
    },
  );

  it.each<[string, unknown]>([
    ['processBatch', { items: 3 }],
    ['processBatch', null],
    ['periodicSync', { intervalSeconds: 5 }],
  ])(
    "%s starts with the caller's own input %p (no defaults filled in)",
    async (functionName, input) => {
      const body = input === null ? undefined : json(input);
      const answer = await start({ functionName, instanceId: 'checked', body });
      expect(answer.status).toBe(202);
      expect(fake.acceptedStarts).toEqual([{ name: functionName, instanceId: 'checked', input }]);
    },
  );
});
