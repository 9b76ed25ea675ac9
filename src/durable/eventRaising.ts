/**
 * Raises an event to an instance through the Durable extension's HTTP API, since
 * durable-functions' `raiseEvent` answers the extension's 410 Gone (the instance has ended) as a
 * success (3.x, `DurableClient.raiseEvent`: `case 202: case 410: return;`): an event that no run
 * will ever read would look delivered. Here 202 is `raised`, 410 `ended` and 404 `absent`. The
 * address is the one the binding lists instances at (./instanceListing.ts), with its query kept.
 */
import { dependencyFailure } from '../dependencies/failure';
import type { Raised } from '../singleton/ports';
import { callExtension } from './instanceListing';

const OPERATION = 'Raising the event';

export async function raiseEvent(
  listUrl: string,
  instanceId: string,
  eventName: string,
  data: unknown,
  timeoutMs: number,
): Promise<Raised> {
  const url = new URL(listUrl);
  url.pathname = `${url.pathname.replace(/\/?$/, '/')}${encodeURIComponent(instanceId)}/raiseEvent/${encodeURIComponent(eventName)}`;
  const { response, text } = await callExtension(OPERATION, url, timeoutMs, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(data ?? null),
  });
  switch (response.status) {
    case 202:
      return 'raised';
    case 410:
      return 'ended';
    case 404:
      return 'absent';
    default:
      throw dependencyFailure(
        'durable',
        `${OPERATION}: HTTP ${response.status} ${text.slice(0, 500)}`,
        { answer: 'status', status: response.status },
      );
  }
}
