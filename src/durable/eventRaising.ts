/**
 * Raises an event to an instance through the Durable extension's HTTP API, since
 * durable-functions' `raiseEvent` answers the extension's 410 Gone (the instance has ended) as a
 * success (3.x, `DurableClient.raiseEvent`: `case 202: case 410: return;`): an event that no run
 * will ever read would look delivered. Here 202 is `raised`, 410 `ended` and 404 `absent`. The
 * address is the one the binding lists instances at (./instanceListing.ts), with its query kept.
 *
 * The extension reads the status twice: its HTTP handler answers 410 when the first read finds the
 * run ended, and its client throws when the second does (`InvalidOperationException`: "Cannot raise
 * event … because instance is in Completed state"), which the handler answers as a 500. A run that
 * ends between the two reads is therefore a 500 naming an ended state (measured once in chaos
 * scenario h, on extension 3.19): `ended` too.
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
      if (response.status === 500 && ENDED_BETWEEN_READS.test(text)) return 'ended';
      throw dependencyFailure(
        'durable',
        `${OPERATION}: HTTP ${response.status} ${text.slice(0, 500)}`,
        { answer: 'status', status: response.status },
      );
  }
}

/** The extension's client refusing a raise to a run its second read found ended. */
const ENDED_BETWEEN_READS =
  /Cannot raise event .* because instance is in (Completed|Failed|Terminated|Canceled) state/;
