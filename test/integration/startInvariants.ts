/**
 * For the input tests: a start request exactly as given (method, headers, query, bytes; no
 * Content-Length added), and the checks every answer must pass.
 */
import { invokeHttpFunction } from '../../tools/functions-core';
import { durableClientBinding } from '../support/durableClientBinding';
import { UNDER_TEST } from './starterHarness';

export interface RawStart {
  functionName: string;
  instanceId: string;
  method?: string;
  /** The query string as sent, without `?`. */
  query?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  rpcBaseUrl: string;
  taskHubName?: string;
}

export interface RawAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** A URL path segment as a client would send it (a lone surrogate cannot be sent: U+FFFD). */
function segment(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
}

export async function rawStart(call: RawStart): Promise<RawAnswer> {
  const body = Buffer.from(call.body ?? new Uint8Array());
  const url = `https://jobs.example.com/api/test/orchestrators/${segment(call.functionName)}/${segment(call.instanceId)}${call.query ? `?${call.query}` : ''}`;
  const reply = await invokeHttpFunction(
    UNDER_TEST,
    {
      method: call.method ?? 'POST',
      url,
      headers: call.headers ?? { 'content-length': String(body.length) },
      body,
      params: { functionName: call.functionName, instanceId: call.instanceId },
    },
    durableClientBinding(call.rpcBaseUrl, call.taskHubName),
  );
  const text = reply.body.toString('utf8');
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: reply.status, headers: reply.headers, text, json };
}

const header = (answer: RawAnswer, name: string) =>
  Object.entries(answer.headers).find(([k]) => k.toLowerCase() === name)?.[1];

/** RFC 3986 characters, plus the `{placeholder}`s the templates carry for the caller to fill. */
const URI = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const PLACEHOLDER = /\{(eventName|text)\}/g;
const INSTANCE_SEGMENT = /\/instances\/([^/?#]*)/;

/** What is wrong with the answer's links for `instanceId` (empty: nothing). */
export function linkProblems(answer: RawAnswer, instanceId: string): string[] {
  const problems: string[] = [];
  const body = answer.json ?? {};
  if (body.id !== instanceId) problems.push(`id is ${JSON.stringify(body.id)}`);
  const links = Object.entries(body).filter(([k]) => k.endsWith('Uri'));
  if (links.length < 4) problems.push(`only ${links.length} links`);
  for (const [name, value] of links) {
    const link = String(value);
    if (!URI.test(link.replace(PLACEHOLDER, ''))) {
      problems.push(`${name} is not a URI: ${link}`);
      continue;
    }
    const raw = INSTANCE_SEGMENT.exec(link)?.[1];
    let decoded: string | undefined;
    try {
      decoded = raw === undefined ? undefined : decodeURIComponent(raw);
    } catch {
      decoded = undefined;
    }
    if (decoded !== instanceId) problems.push(`${name} addresses ${JSON.stringify(decoded)}`);
    // A URL parser must not rewrite the path (dot segments, backslashes).
    const parsed = new URL(link.replace(PLACEHOLDER, 'x'));
    if (!parsed.pathname.includes(`/instances/${raw ?? ''}`)) {
      problems.push(`${name} is read as ${parsed.pathname}`);
    }
    if (parsed.origin !== 'https://jobs.example.com') {
      problems.push(`${name} has origin ${parsed.origin}`);
    }
  }
  if (answer.status === 202) {
    if (header(answer, 'location') !== body.statusQueryGetUri) {
      problems.push(`Location is ${header(answer, 'location')}`);
    }
    if (header(answer, 'retry-after') !== '10') problems.push('no Retry-After: 10');
  }
  return problems;
}

/** What is wrong with an error answer's form (empty: nothing). */
export function problemFormProblems(answer: RawAnswer): string[] {
  const problems: string[] = [];
  if (header(answer, 'content-type') !== 'application/problem+json') {
    problems.push(`content-type ${header(answer, 'content-type')}`);
  }
  const body = answer.json ?? {};
  if (body.status !== answer.status) problems.push(`body status ${String(body.status)}`);
  for (const member of ['type', 'title', 'detail']) {
    if (typeof body[member] !== 'string') problems.push(`no ${member}`);
  }
  return problems;
}
