/**
 * Helpers for the black-box e2e suite: only HTTP against E2E_BASE_URL, Node's global fetch,
 * bounded polling. Nothing here knows how the host is run.
 */
import { randomBytes } from 'node:crypto';

export const BASE = (process.env.E2E_BASE_URL ?? 'http://localhost:7071').replace(/\/+$/, '');

/** Unique per run, so the suite can run repeatedly against a long-lived host. */
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
export function uniqueId(label: string): string {
  return `e2e-${label}-${RUN}`;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

async function answer<T>(response: Response): Promise<Answer<T>> {
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/**
 * One call to an app route under /api (a JSON body when given; `{}` for an empty answer), bounded
 * at 30 s: the operator and signal suites' plain request.
 */
export async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<Record<string, unknown>>> {
  const response = await fetch(`${BASE}/api/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const read = await answer<Record<string, unknown>>(response);
  return { ...read, json: read.json ?? {} };
}

export interface CheckStatusLinks {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
  runtimeStatus?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instanceId?: string;
  runtimeStatus?: string;
  rule?: string;
}

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: { EventType: string }[];
}

/** POST /api/orchestrators/{functionName}/{instanceId}[?query] with an optional raw or JSON body. */
export async function start(
  functionName: string,
  instanceId: string,
  body?: unknown,
  query: Record<string, string> = {},
  rawBody?: string | Buffer,
): Promise<Answer<CheckStatusLinks & Problem>> {
  const qs = new URLSearchParams(query).toString();
  const url = `${BASE}/api/orchestrators/${encodeURIComponent(functionName)}/${encodeURIComponent(instanceId)}${qs ? `?${qs}` : ''}`;
  const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
    signal: AbortSignal.timeout(60_000),
  });
  return answer(response);
}

/** The extension's status endpoint for an ID, through the host's public webhook path. */
export function statusUrl(instanceId: string): string {
  return `${BASE}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`;
}

export async function getStatus(
  url: string,
  showHistory = false,
): Promise<Answer<OrchestrationStatus>> {
  const target = new URL(url);
  if (showHistory) target.searchParams.set('showHistory', 'true');
  return answer(await fetch(target, { signal: AbortSignal.timeout(30_000) }));
}

export async function post(url: string, body?: unknown): Promise<Answer> {
  return answer(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the status link until `done` holds; fails with the last status seen after `timeoutMs`. */
export async function waitForStatus(
  url: string,
  done: (status: OrchestrationStatus) => boolean,
  timeoutMs = 60_000,
  what = 'the expected status',
): Promise<OrchestrationStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer<OrchestrationStatus> | undefined;
  for (;;) {
    last = await getStatus(url);
    if (last.status < 300 && last.json && done(last.json)) {
      return last.json;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what} at ${url}; last answer ${last.status}: ${last.text}`,
      );
    }
    await sleep(300);
  }
}

export const RUNNING_STATUSES = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];
