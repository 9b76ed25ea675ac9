/**
 * The invocation's durable client, built once per distinct binding rather than once per request.
 * durable-functions' `getClient` deep-copies the binding data, checks and rewrites each of its
 * URLs and makes a new HTTP client on every call (about 0.1 ms of CPU: more than the starter's own
 * work on a conflict answer), though the host hands every invocation the same binding data. A
 * client keeps nothing per request, so one serves every invocation whose binding data is the same,
 * compared as JSON text (with `WEBSITE_HOSTNAME`, which `getClient` also reads); other data (a new
 * key, another task hub or connection) gets a client of its own. Bounded, for apps with several.
 */
import type { FunctionInput, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import { listUrlOf } from './instanceListing';

const MAX_CLIENTS = 8;
const clients = new Map<string, DurableClient>();
/** Where each client's binding lists instances (./instanceListing.ts): the JS client cannot. */
const listUrls = new WeakMap<DurableClient, string>();

/** The instance-listing address of the binding `client` was made from, if it names one. */
export function listUrlOfClient(client: DurableClient): string | undefined {
  return listUrls.get(client);
}

function isDurableClientInput(input: FunctionInput): boolean {
  return input.type === 'durableClient' || input.type === 'orchestrationClient';
}

/** `df.getClient(context)`, reused while the binding data is unchanged. */
export function durableClient(context: InvocationContext): DurableClient {
  const input = context.options.extraInputs.find(isDurableClientInput);
  const data: unknown = input === undefined ? undefined : context.extraInputs.get(input);
  // No binding data: getClient throws the library's own error.
  if (data === undefined || data === null) return df.getClient(context);
  const key = `${process.env.WEBSITE_HOSTNAME ?? ''}\n${JSON.stringify(data)}`;
  let client = clients.get(key);
  if (client === undefined) {
    client = df.getClient(context);
    const listUrl = listUrlOf(data);
    if (listUrl !== undefined) listUrls.set(client, listUrl);
    if (clients.size >= MAX_CLIENTS) clients.clear();
    clients.set(key, client);
  }
  return client;
}
