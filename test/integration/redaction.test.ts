/**
 * `SINGLETON_REDACT_INSTANCE_IDS=true`, through the real handler, the lock on Azurite and the
 * durable client against the extension stand-in: for every outcome of a start, no log line, no
 * problem body and no span the starter records holds the instance ID, in any spelling. The IDs
 * carry an e-mail address, as real ones do; a 202 or 200 keeps it (the caller's own resource).
 * The outgoing HTTP spans are checked in a process of their own (redactionExport.test.ts).
 */
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { HttpResult } from '../support/invokeHttp';
import {
  FIXTURES,
  HIDDEN,
  logged,
  operate,
  post,
  useFakeExtension,
  useSettings,
  type PostOptions,
} from './starterHarness';

const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
);

const extension = useFakeExtension();
const rpc = (more: Partial<PostOptions> = {}): PostOptions => ({
  rpcBaseUrl: extension().rpcBaseUrl,
  ...more,
});

const PERSON = 'alice.smith@example.com';
let counter = 0;
/** An ID holding personal data; `PERSON` is what must not appear. */
const personalId = () => `${PERSON}-${process.pid}-${++counter}`;

const REDACT = { SINGLETON_REDACT_INSTANCE_IDS: 'true' };
const keyed = (key: string, body = '{"items":3}') =>
  rpc({ headers: { 'Idempotency-Key': `"${key}"` }, body });

beforeEach(() => {
  useSettings(REDACT);
  spans.reset();
});
afterAll(() => trace.disable());

type Case = [string, number, () => Promise<HttpResult[]>];

const cases: Case[] = [
  ['started', 202, async () => [await post(FIXTURES.always, personalId(), rpc())]],
  [
    'conflict: running',
    409,
    async () => {
      const id = personalId();
      await post(FIXTURES.always, id, rpc());
      return [await post(FIXTURES.always, id, rpc())];
    },
  ],
  [
    'attached',
    200,
    async () => {
      const id = personalId();
      extension().seed(id, FIXTURES.always, 'Running');
      return [await post(FIXTURES.always, id, rpc({ query: 'onConflict=attach' }))];
    },
  ],
  [
    'conflict: reuse',
    409,
    async () => {
      const id = personalId();
      extension().seed(id, FIXTURES.never, 'Completed');
      return [await post(FIXTURES.never, id, rpc())];
    },
  ],
  [
    "conflict: another orchestrator's instance",
    409,
    async () => {
      const id = personalId();
      extension().seed(id, HIDDEN, 'Running');
      return [await post(FIXTURES.always, id, rpc({ query: 'onConflict=restart' }))];
    },
  ],
  [
    'replayed',
    202,
    async () => {
      const id = personalId();
      await post(FIXTURES.always, id, keyed(`k-${counter}`));
      return [await post(FIXTURES.always, id, keyed(`k-${counter}`))];
    },
  ],
  [
    'keyMismatch',
    422,
    async () => {
      const id = personalId();
      await post(FIXTURES.always, id, keyed(`k-${counter}`));
      return [await post(FIXTURES.always, id, keyed(`k-${counter}`, '{"items":4}'))];
    },
  ],
  [
    'invalid: the instance ID',
    400,
    async () => [await post(FIXTURES.always, `${personalId()}?`, rpc())],
  ],
  [
    'invalid: an onConflict and a body that carry the same data',
    400,
    async () => {
      const answers = [
        await post(FIXTURES.always, personalId(), rpc({ query: `onConflict=${PERSON}` })),
        await post(FIXTURES.always, personalId(), rpc({ body: `{"owner": ${PERSON}}` })),
      ];
      expect(answers.map((a) => a.status)).toEqual([400, 400]);
      return answers;
    },
  ],
  [
    'failed: the extension answers 500 and names the instance in its text',
    502,
    async () => {
      extension().mode = 'error500Starts';
      return [await post(FIXTURES.always, personalId(), rpc())];
    },
  ],
  [
    'unavailable, and in progress: a start that hangs holds the lock',
    503,
    async () => {
      useSettings({ ...REDACT, SINGLETON_BACKEND_TIMEOUT_MS: '300', SINGLETON_LOCK_WAIT_MS: '0' });
      extension().mode = 'hangStarts';
      const id = personalId();
      const key = `k-${counter}`;
      const first = post(FIXTURES.always, id, keyed(key));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const during = await Promise.all([
        post(FIXTURES.always, id, rpc()),
        post(FIXTURES.always, id, keyed(key)),
      ]);
      expect(during.map((r) => r.status)).toEqual([409, 409]);
      return [await first, ...during];
    },
  ],
  [
    'unavailable: a restart whose old run does not end in time',
    503,
    async () => {
      useSettings({ ...REDACT, SINGLETON_RESTART_TIMEOUT_MS: '100' });
      extension().terminateDelayMs = Infinity;
      const id = personalId();
      extension().seed(id, FIXTURES.always, 'Running');
      return [await post(FIXTURES.always, id, rpc({ query: 'onConflict=restart' }))];
    },
  ],
  [
    'misconfigured',
    500,
    async () => {
      useSettings({ ...REDACT, SINGLETON_LOCK_WAIT_MS: 'soon' });
      return [await post(FIXTURES.always, personalId(), rpc())];
    },
  ],
];

describe('with SINGLETON_REDACT_INSTANCE_IDS=true, no ID in what the starter emits', () => {
  it.each(cases)('%s (%d)', async (_outcome, status, act) => {
    const answers = await act();
    expect(answers[0]!.status).toBe(status);
    // Something was written, so its absence of the ID means something.
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(PERSON);
    const problems = answers.filter((a) => a.status >= 400);
    for (const answer of problems) {
      expect(answer.text).not.toContain(PERSON);
      expect(answer.json.instanceId).toBeUndefined();
    }
    const recorded = spans.getFinishedSpans();
    if (status !== 500 && !problems.some((a) => a.status === 400)) {
      expect(recorded.length).toBeGreaterThan(0);
    }
    const spanText = JSON.stringify(
      recorded.map(({ name, attributes, status: s, events }) => ({ name, attributes, s, events })),
    );
    expect(spanText).not.toContain(PERSON);
    // A success keeps the ID: the caller named it, and the links address it.
    for (const answer of answers.filter((a) => a.status < 300)) {
      expect(answer.text).toContain(encodeURIComponent(PERSON));
    }
  });

  it('operator routes: status, terminate, purge and bulk purge log no ID, and their problems hold none', async () => {
    const id = personalId();
    extension().seed(id, FIXTURES.always, 'Running');
    const at = rpc();
    const answers = [
      await operate('status', FIXTURES.always, id, at),
      await operate('terminate', FIXTURES.always, id, at),
    ];
    await new Promise((resolve) => setTimeout(resolve, 20)); // the stand-in ends it a moment later
    answers.push(await operate('purge', FIXTURES.always, id, at));
    const running = personalId();
    extension().seed(running, FIXTURES.always, 'Running');
    answers.push(await operate('purge', FIXTURES.always, running, at));
    const prefix = `${PERSON}-${process.pid}-bulk`;
    for (const n of [1, 2]) extension().seed(`${prefix}-${n}`, FIXTURES.always, 'Completed');
    answers.push(
      await operate('purgeMany', FIXTURES.always, undefined, {
        ...at,
        query: `prefix=${encodeURIComponent(prefix)}`,
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 202, 200, 409, 200]);
    expect(answers[4]!.json.counts).toEqual({ purged: 2 });
    expect(logged.some((line) => line.includes('Operator: purged'))).toBe(true);
    expect(logged.join('\n')).not.toContain(PERSON);
    expect(answers[3]!.text).not.toContain(PERSON);
    expect(JSON.stringify(spans.getFinishedSpans().map((s) => s.attributes))).not.toContain(PERSON);
  });

  it('names the ID everywhere when the setting is off (the control)', async () => {
    useSettings({});
    const id = personalId();
    await post(FIXTURES.always, id, rpc());
    const conflict = await post(FIXTURES.always, id, rpc());
    expect(conflict.json.instanceId).toBe(id);
    expect(logged.join('\n')).toContain(id);
    expect(JSON.stringify(spans.getFinishedSpans().map((s) => s.attributes))).toContain(id);
  });
});
