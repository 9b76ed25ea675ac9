import { FIXTURES, freshId, post, useFakeExtension, useSettings } from './starterHarness';

const BURST = 30;
// Bursts on a loaded 2-core machine can take several seconds; this bounds a hang, it times nothing.
jest.setTimeout(90_000);
const extension = useFakeExtension();

beforeAll(() => {
  // The extension stand-in's duplicate check reads, waits, then writes, like the real backend.
  extension().duplicateCheckDelayMs = 50;
});

beforeEach(() => {
  // Generous bounds: these tests are about who starts, not how fast; on a loaded machine the
  // defaults (10 s lock wait, 5 s per storage call) turn slowness into 409 in-progress or 503.
  useSettings({ SINGLETON_LOCK_WAIT_MS: '60000', SINGLETON_BACKEND_TIMEOUT_MS: '30000' });
});

function burst(starter: 'ours' | 'sample', id: string) {
  return Promise.all(
    Array.from({ length: BURST }, () =>
      post(FIXTURES.always, id, { rpcBaseUrl: extension().rpcBaseUrl, starter }),
    ),
  );
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe(`a burst of ${BURST} concurrent starts of one new ID`, () => {
  it('through our starter: exactly one 202, every other answer 409, one start accepted', async () => {
    const id = freshId('burst');
    const statuses = (await burst('ours', id)).map((r) => r.status);
    expect(count(statuses, 202)).toBe(1);
    expect(count(statuses, 409)).toBe(BURST - 1);
    expect(extension().startsOf(id)).toHaveLength(1);
  });

  it("through the sample's check-then-start: more than one caller is told it started", async () => {
    const id = freshId('burst-sample');
    const statuses = (await burst('sample', id)).map((r) => r.status);
    expect(count(statuses, 202)).toBeGreaterThan(1);
    expect(extension().startsOf(id).length).toBeGreaterThan(1);
  });

  it('through our starter, repeated on several IDs at once: one start per ID', async () => {
    const ids = [freshId('multi'), freshId('multi'), freshId('multi')];
    const results = await Promise.all(ids.map((id) => burst('ours', id)));
    results.forEach((answers, i) => {
      expect(
        count(
          answers.map((r) => r.status),
          202,
        ),
      ).toBe(1);
      expect(extension().startsOf(ids[i]!)).toHaveLength(1);
    });
  });
});
