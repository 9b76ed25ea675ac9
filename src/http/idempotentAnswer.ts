/**
 * The HTTP side of a start with an `Idempotency-Key`: answers recorded as status, headers and
 * body, replayed with `Idempotent-Replayed: true`, and the key's own problems (422, 409).
 */
import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { claimHoldMs, unsettledHoldMs, type StarterBounds } from '../idempotency/bounds';
import { fingerprintOf } from '../idempotency/fingerprint';
import {
  idempotentStart,
  type Answered,
  type IdempotencyDeps,
} from '../idempotency/idempotentStart';
import { inProgressDetail, mismatchDetail, PART_FIELDS } from '../idempotency/messages';
import type { IdempotencyStore, Runs } from '../idempotency/ports';
import type { RecordedAnswer } from '../idempotency/record';
import type { StartCommand } from '../singleton/outcome';
import type { Logger } from '../singleton/start';
import { problem, problemResponse } from './problem';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The headers of an answer worth replaying; the rest are the host's or per-response. */
const RECORDED_HEADERS = ['Content-Type', 'Location', 'Retry-After'];

export async function recordAnswer(
  response: HttpResponseInit | HttpResponse,
): Promise<RecordedAnswer> {
  const read = response instanceof HttpResponse ? response : new HttpResponse(response);
  const headers: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = read.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: read.status, headers, body: await read.text() };
}

function replay({ status, headers, body }: RecordedAnswer, replayed: boolean): HttpResponseInit {
  return {
    status,
    headers: replayed ? { ...headers, [REPLAYED_HEADER]: 'true' } : { ...headers },
    body,
  };
}

export interface KeyedStartDeps extends StarterBounds {
  readonly store: IdempotencyStore;
  readonly runs: Runs;
  readonly taskHub: string;
  readonly idempotencyTtlSeconds: number;
  readonly clock: { now(): number };
  readonly log: Logger;
}

export interface KeyedStartCalls {
  /** The singleton start and its HTTP answer. */
  start(): Promise<{ outcome: Answered['outcome']; answer: HttpResponseInit | HttpResponse }>;
  /** The 202 a start of the command's instance answers. */
  startedAnswer(): Promise<HttpResponseInit | HttpResponse>;
}

export async function keyedStartAnswer(
  key: string,
  command: StartCommand,
  deps: KeyedStartDeps,
  calls: KeyedStartCalls,
): Promise<HttpResponseInit> {
  const idempotency: IdempotencyDeps = {
    store: deps.store,
    runs: deps.runs,
    clock: deps.clock,
    log: deps.log,
    ttlMs: deps.idempotencyTtlSeconds * 1000,
    claimHoldMs: claimHoldMs(deps),
    unsettledHoldMs: unsettledHoldMs(deps),
  };
  const result = await idempotentStart(
    { scope: { taskHub: deps.taskHub, key }, fingerprint: fingerprintOf(command) },
    idempotency,
    {
      start: async () => {
        const { outcome, answer } = await calls.start();
        return { outcome, answer: await recordAnswer(answer) };
      },
      startedAnswer: async () => recordAnswer(await calls.startedAnswer()),
    },
  );
  const { instanceId } = command;
  switch (result.kind) {
    case 'answered':
      return replay(result.answer, false);
    case 'replayed':
      return replay(result.answer, true);
    case 'mismatch':
      return problemResponse(
        problem('idempotency-key-mismatch', mismatchDetail(key, result.differences), {
          idempotencyKey: key,
          differences: result.differences.map((part) => PART_FIELDS[part]),
        }),
      );
    case 'inProgress': {
      const answer = problemResponse(
        problem('start-in-progress', inProgressDetail(key, instanceId), {
          instanceId,
          rule: 'in-progress',
          idempotencyKey: key,
        }),
      );
      const seconds = Math.min(Math.max(Math.ceil(result.retryAfterMs / 1000), 1), 5);
      return { ...answer, headers: { ...answer.headers, 'Retry-After': String(seconds) } };
    }
    case 'unavailable':
      return problemResponse(problem('backend-unavailable', result.detail));
    case 'failed':
      return problemResponse(problem('backend-failure', result.detail));
  }
}
