/**
 * The check-status links of an instance, valid for every accepted ID: the ID is percent-encoded
 * (UTF-8) wherever it goes into a link, and each link's origin is the one given (the configured
 * link origin; config.ts says why not the request's Host header). durable-functions'
 * `createCheckStatusResponse` is not used: it puts the raw ID into the links and into `Location`,
 * and `new Headers()` throws for characters above U+00FF (after the start has happened).
 */
import type { DurableClient } from 'durable-functions';

/** The durable client call that fills the binding's link templates. */
export type LinkTemplates = Pick<DurableClient, 'createHttpManagementPayload'>;

/** `id` (the raw ID) and the links: `statusQueryGetUri`, `sendEventPostUri`, `terminatePostUri`, … */
export interface CheckStatusLinks {
  readonly id: string;
  readonly statusQueryGetUri: string;
  readonly [link: string]: string;
}

export function checkStatusLinks(
  templates: LinkTemplates,
  origin: string,
  instanceId: string,
): CheckStatusLinks {
  // `encodeURIComponent` leaves no `$`, so the client's `String.replace` cannot misread it.
  const links = templates.createHttpManagementPayload(encodeURIComponent(instanceId));
  const result: Record<string, string> = {};
  for (const [key, link] of Object.entries(links) as [string, string][]) {
    result[key] = withOrigin(link, origin);
  }
  const { statusQueryGetUri } = result;
  if (statusQueryGetUri === undefined) {
    throw new Error('The durable client binding has no statusQueryGetUri template.');
  }
  return { ...result, id: instanceId, statusQueryGetUri };
}

/** Swaps the link's origin textually, so that its `{placeholders}` stay as they are. */
function withOrigin(link: string, origin: string): string {
  let own: string;
  try {
    own = new URL(link).origin;
  } catch {
    return link;
  }
  return link.startsWith(own) ? origin + link.slice(own.length) : link;
}
