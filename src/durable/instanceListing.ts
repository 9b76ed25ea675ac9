/**
 * One page of the task hub's instances, from the Durable extension's HTTP API, since the JS client
 * cannot list by ID prefix (azure-functions-durable-js #333) and follows every continuation token
 * itself (a listing of a large task hub would not answer within the backend timeout). The API
 * (`GET …/instances/`) takes `instanceIdPrefix`, `runtimeStatus`, `createdTimeFrom/To`, `top` and
 * `showInput`, and pages with the `x-ms-continuation-token` header. Its address comes from the
 * invocation's durable client binding: the local RPC endpoint (`rpcBaseUrl`, no key needed) or,
 * with an older extension, the webhook with the system key the binding carries, which never leaves
 * this call.
 */
import { dependencyFailure } from '../dependencies/failure';
import type { BackendQuery } from '../operations/ports';
import { QueryRefusedError } from '../operations/ports';

const CONTINUATION = 'x-ms-continuation-token';
const OPERATION = 'Listing the instances';

interface BindingUrls {
  readonly rpcBaseUrl?: unknown;
  readonly managementUrls?: { readonly id?: unknown; readonly statusQueryGetUri?: unknown };
}

/** Where the binding says instances are listed, or undefined when it says nothing usable. */
export function listUrlOf(binding: unknown): string | undefined {
  let data = binding;
  if (typeof binding === 'string') {
    try {
      data = JSON.parse(binding);
    } catch {
      return undefined;
    }
  }
  const { rpcBaseUrl, managementUrls } = (data ?? {}) as BindingUrls;
  if (typeof rpcBaseUrl === 'string' && rpcBaseUrl !== '') {
    return new URL('instances/', rpcBaseUrl).href;
  }
  const template = managementUrls?.statusQueryGetUri;
  const id = managementUrls?.id;
  if (typeof template === 'string' && typeof id === 'string' && template.includes(id)) {
    return template.replace(`/${id}`, '/');
  }
  return undefined;
}

export interface RawPage {
  readonly statuses: readonly unknown[];
  readonly continuation?: string;
}

export async function fetchInstancePage(
  listUrl: string,
  query: BackendQuery,
  showInput: boolean,
  timeoutMs: number,
): Promise<RawPage> {
  const url = new URL(listUrl);
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) url.searchParams.set(name, value);
  };
  set('instanceIdPrefix', query.prefix);
  set('runtimeStatus', query.runtimeStatus?.join(','));
  set('createdTimeFrom', query.createdFrom);
  set('createdTimeTo', query.createdTo);
  set('top', String(query.top));
  set('showInput', String(showInput));
  const { response, text } = await callExtension(OPERATION, url, timeoutMs, {
    headers: query.continuation ? { [CONTINUATION]: query.continuation } : {},
  });
  if (response.status === 400 || (query.continuation && response.status === 500)) {
    // A token the backend cannot read: measured on extension 3.19, a 500 naming a JSON error.
    if (response.status === 400 || /Json|Format|continuation|token/i.test(text)) {
      throw new QueryRefusedError(
        `${OPERATION}: the backend refused the query (${response.status}).`,
      );
    }
  }
  if (response.status !== 200) {
    throw dependencyFailure(
      'durable',
      `${OPERATION}: HTTP ${response.status} ${text.slice(0, 500)}`,
      {
        answer: 'status',
        status: response.status,
      },
    );
  }
  let statuses: unknown;
  try {
    statuses = JSON.parse(text);
  } catch {
    statuses = undefined;
  }
  if (!Array.isArray(statuses)) {
    throw dependencyFailure('durable', `${OPERATION}: the answer is not a JSON array.`, {
      answer: 'other',
    });
  }
  const continuation = response.headers.get(CONTINUATION) ?? '';
  return continuation === '' || continuation === 'null' ? { statuses } : { statuses, continuation };
}

/**
 * One call to the extension's HTTP API, bounded by `timeoutMs`: its answer and body, or the
 * dependency failure of no answer (`none`) or of none in time (`late`). What a status means is
 * the caller's.
 */
export async function callExtension(
  operation: string,
  url: URL,
  timeoutMs: number,
  init: RequestInit = {},
): Promise<{ response: Response; text: string }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const late = (error as Error).name === 'TimeoutError';
    throw dependencyFailure(
      'durable',
      `${operation}: ${late ? `no answer within ${timeoutMs} ms` : (error as Error).message}`,
      { answer: late ? 'late' : 'none' },
    );
  }
  return { response, text: await response.text().catch(() => '') };
}
