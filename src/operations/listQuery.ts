/**
 * The list route's query, checked: `prefix`, `runtimeStatus` (a comma-separated list),
 * `createdFrom`, `createdTo` (ISO 8601), `top` (1–100) and `continuationToken`, each at most once.
 * Pure: what is wrong is said by the parameter and the rule, never by the value.
 *
 * The continuation token handed out wraps the backend's own with a digest of the query it belongs
 * to (orchestrator included), so that a token is refused (400) with another query rather than
 * resuming someone else's listing; a token that is not one of ours is refused the same way. Its
 * integrity matters less than it seems: every page is filtered by orchestrator name whatever the
 * token says, so a forged one can show nothing the route would not.
 */
import { createHash } from 'node:crypto';
import { checkInstanceId } from '../singleton/instanceId';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../singleton/statuses';
import type { BackendQuery } from './ports';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const PARAMETERS = [
  'prefix',
  'runtimeStatus',
  'createdFrom',
  'createdTo',
  'top',
  'continuationToken',
] as const;

/** A query parameter's values as the request carries them (`URLSearchParams.getAll`). */
export type QueryValues = (name: string) => readonly string[];

export type ListCheck =
  | { readonly ok: true; readonly query: BackendQuery }
  | { readonly ok: false; readonly parameter: string; readonly detail: string };

const refuse = (parameter: string, detail: string): ListCheck => ({
  ok: false,
  parameter,
  detail,
});

/**
 * What a query lists for: the list route, or a bulk action, which lists only the statuses it can
 * act on (running ones to terminate, ended ones to purge) and binds its tokens to itself.
 */
export interface ListScope {
  readonly name: 'list' | 'terminate' | 'purge';
  /** The statuses it may list; a `runtimeStatus` outside them is refused. Default: all. */
  readonly statuses?: readonly RuntimeStatus[];
}

const LIST: ListScope = { name: 'list' };

export function checkListQuery(
  orchestrator: string,
  values: QueryValues,
  scope: ListScope = LIST,
): ListCheck {
  const one: Partial<Record<(typeof PARAMETERS)[number], string>> = {};
  for (const name of PARAMETERS) {
    const given = values(name);
    if (given.length > 1) return refuse(name, `${name} must be given at most once.`);
    if (given[0] !== undefined && given[0] !== '') one[name] = given[0];
  }
  const { prefix } = one;
  if (prefix !== undefined) {
    const check = checkInstanceId(prefix);
    if (!check.ok) {
      return refuse('prefix', `prefix must be the start of a valid instance ID: ${check.detail}`);
    }
  }
  const allowed = scope.statuses ?? RUNTIME_STATUSES;
  let runtimeStatus: RuntimeStatus[] | undefined = scope.statuses && [...scope.statuses];
  if (one.runtimeStatus !== undefined) {
    runtimeStatus = [];
    for (const name of one.runtimeStatus.split(',')) {
      const known = allowed.find((s) => s.toLowerCase() === name.trim().toLowerCase());
      if (known === undefined) {
        return refuse(
          'runtimeStatus',
          `runtimeStatus must be a comma-separated list of ${allowed.join(', ')}${scope.name === 'list' ? '' : ` (the statuses ${scope.name} acts on)`}.`,
        );
      }
      if (!runtimeStatus.includes(known)) runtimeStatus.push(known);
    }
  }
  const createdFrom = instant(one.createdFrom);
  const createdTo = instant(one.createdTo);
  if (createdFrom === null) return refuse('createdFrom', 'createdFrom must be an ISO 8601 time.');
  if (createdTo === null) return refuse('createdTo', 'createdTo must be an ISO 8601 time.');
  if (createdFrom !== undefined && createdTo !== undefined && createdFrom > createdTo) {
    return refuse('createdTo', 'createdTo must not be before createdFrom.');
  }
  let top = DEFAULT_PAGE_SIZE;
  if (one.top !== undefined) {
    top = /^\d{1,3}$/.test(one.top) ? Number(one.top) : 0;
    if (top < 1 || top > MAX_PAGE_SIZE) {
      return refuse('top', `top must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
    }
  }
  const query: BackendQuery = {
    ...(prefix !== undefined && { prefix }),
    ...(runtimeStatus !== undefined && { runtimeStatus }),
    ...(createdFrom !== undefined && { createdFrom }),
    ...(createdTo !== undefined && { createdTo }),
    top,
  };
  if (one.continuationToken === undefined) return { ok: true, query };
  const continuation = openToken(one.continuationToken, queryDigest(orchestrator, query, scope));
  if (continuation === undefined) {
    return refuse(
      'continuationToken',
      'continuationToken is not one this route handed out for this query; start again without it.',
    );
  }
  return { ok: true, query: { ...query, continuation } };
}

/** The token for the page after this one, or undefined when the backend said it was the last. */
export function nextPageToken(
  orchestrator: string,
  query: BackendQuery,
  continuation: string | undefined,
  scope: ListScope = LIST,
): string | undefined {
  if (continuation === undefined) return undefined;
  const digest = queryDigest(orchestrator, query, scope);
  return Buffer.from(JSON.stringify({ v: 1, q: digest, c: continuation })).toString('base64url');
}

function openToken(token: string, digest: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    const t = parsed as { v?: unknown; q?: unknown; c?: unknown };
    return t.v === 1 && t.q === digest && typeof t.c === 'string' && t.c !== '' ? t.c : undefined;
  } catch {
    return undefined;
  }
}

/** What a page's token is bound to: the scope, the orchestrator and every filter, not the page size. */
function queryDigest(orchestrator: string, query: BackendQuery, scope: ListScope): string {
  const { prefix, runtimeStatus, createdFrom, createdTo } = query;
  const text = JSON.stringify([
    scope.name,
    orchestrator.toLowerCase(),
    prefix ?? null,
    runtimeStatus ?? null,
    createdFrom ?? null,
    createdTo ?? null,
  ]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** The instant as ISO 8601 (UTC), undefined when absent, null when unreadable. */
function instant(text: string | undefined): string | undefined | null {
  if (text === undefined) return undefined;
  // A date or a date-time with a zone, as ISO 8601 writes them; Date.parse alone takes more.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)) {
    return null;
  }
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
