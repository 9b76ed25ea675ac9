/**
 * A queue message asking for one batch: `{ "instanceId": "tenant-42", "input": { … },
 * "onConflict": "reject" }`; `input` and `onConflict` are optional. Pure.
 */
import { readObject, rejectMissingKeys, rejectUnknownKeys, type Validated } from '../inputRules';

export interface BatchRequestMessage {
  readonly instanceId: string;
  readonly input?: unknown;
  readonly onConflict?: string;
}

const KEYS = ['instanceId', 'input', 'onConflict'];

export function readBatchRequestMessage(raw: unknown): Validated<BatchRequestMessage> {
  const problems: string[] = [];
  const body = readObject(raw, problems, 'the message');
  rejectUnknownKeys(body, KEYS, problems);
  rejectMissingKeys(body, ['instanceId'], problems);
  const { instanceId, input, onConflict } = body;
  if (instanceId !== undefined && typeof instanceId !== 'string') {
    problems.push('"instanceId" must be a string');
  }
  if (onConflict !== undefined && typeof onConflict !== 'string') {
    problems.push('"onConflict" must be a string');
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      instanceId: instanceId as string,
      ...(input !== undefined && { input }),
      ...(onConflict !== undefined && { onConflict: onConflict as string }),
    },
  };
}
