/**
 * The app's own links to an instance (`SINGLETON_LINKS=app`): the operator routes, under the
 * caller's function key, with the field names of durable-functions' `createCheckStatusResponse`
 * for the operations those routes offer. No key is in them: whoever holds a function key for the
 * start holds one for these, and nothing more (the extension's links carry its system key, which
 * opens every instance of the task hub). The ID is percent-encoded, as in the extension's links.
 */
import type { CheckStatusLinks } from './checkStatusLinks';

/** The app's routes under the host's `/api` prefix. */
export function instanceRoute(origin: string, orchestrator: string, instanceId: string): string {
  return `${origin}/api/orchestrators/${encodeURIComponent(orchestrator)}/${encodeURIComponent(instanceId)}`;
}

export function appLinks(
  origin: string,
  orchestrator: string,
  instanceId: string,
): CheckStatusLinks {
  const instance = instanceRoute(origin, orchestrator, instanceId);
  return {
    id: instanceId,
    statusQueryGetUri: instance,
    terminatePostUri: `${instance}/terminate`,
    purgeHistoryDeleteUri: instance,
  };
}
