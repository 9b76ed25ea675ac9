/**
 * Instance-ID redaction (`SINGLETON_REDACT_INSTANCE_IDS=true`): an ID may carry personal data (a
 * user, a tenant, an order), so when the setting is on the app keeps it out of everything it emits
 * about a start: log lines, problem bodies, span attributes, span status messages and exceptions,
 * and the URLs of the outgoing HTTP spans (`redactOutgoingUrl`). Answers that succeed keep it
 * (`id` and the links are the caller's own resource), and what is stored keeps it (a record must
 * name its instance; the lock blobs are named by a hash).
 *
 * Text is scrubbed rather than worded twice, because part of every line is a dependency's own text
 * (the extension's JSON, a storage error), which may quote the ID raw, JSON-escaped or
 * percent-encoded. An occurrence is replaced only where it is not part of a longer word, so a short
 * ID does not eat the letters of the words around it; a longer run that contains the ID is
 * another ID, or not one.
 */
import { ConfigError } from './config';
import type { Env } from './env';
import type { Logger } from './singleton/ports';

export const REDACTED_ID = '[redacted]';

/** What the app does with the instance IDs it emits. */
export interface Redaction {
  /** The text with every form of `instanceId` in it replaced by `[redacted]`, when redacting. */
  text(text: string, instanceId: string): string;
  /** `log`, writing each line through `text`. */
  log<L extends Logger>(log: L, instanceId: string): Logger;
  readonly instanceIds: boolean;
}

export const keepInstanceIds: Redaction = {
  instanceIds: false,
  text: (text) => text,
  log: (log) => log,
};

export const redactInstanceIds: Redaction = {
  instanceIds: true,
  text: scrub,
  log: (log, instanceId) => ({
    debug: (message) => log.debug(scrub(message, instanceId)),
    info: (message) => log.info(scrub(message, instanceId)),
    warn: (message) => log.warn(scrub(message, instanceId)),
  }),
};

const SETTING = 'SINGLETON_REDACT_INSTANCE_IDS';
/** This round's setting replaces it; `false` there still means what it meant, and more. */
const OLD_SETTING = 'SINGLETON_TELEMETRY_RECORD_INSTANCE_ID';

function flag(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`App setting ${name} must be true or false.`);
}

/** `SINGLETON_REDACT_INSTANCE_IDS` (default false); a bad value is a `ConfigError` naming it. */
export function loadRedaction(env: Env): Redaction {
  const redact = flag(env, SETTING) ?? flag(env, OLD_SETTING) === false;
  return redact ? redactInstanceIds : keepInstanceIds;
}

/** The ways a dependency's text may spell an ID: as is, in a JSON string, in a URL. */
function spellings(instanceId: string): string[] {
  const forms = new Set([instanceId, JSON.stringify(instanceId).slice(1, -1)]);
  forms.add(encodeURIComponent(instanceId));
  try {
    forms.add(new URL(`http://h/${instanceId}`).pathname.slice(1));
  } catch {
    // Not a path segment a URL can carry: no such spelling.
  }
  return [...forms].filter((form) => form !== '').sort((a, b) => b.length - a.length);
}

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

function scrub(text: string, instanceId: string): string {
  if (instanceId === '') return text;
  const alternatives = spellings(instanceId)
    .map((form) => form.replace(SPECIAL, '\\$&'))
    .join('|');
  return text.replace(
    new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'gu'),
    REDACTED_ID,
  );
}

/**
 * The URL of a call to the Durable extension, as an outgoing HTTP span records it: the instance ID
 * segment (`…/instances/{id}…`, `…/orchestrators/{name}/{id}`) becomes `{instanceId}`, and the
 * query goes (it may hold an ID prefix, or the system key as `code`). Other URLs pass unchanged:
 * the lock's and the records' blobs are named by a hash.
 */
export function redactOutgoingUrl(url: string): string {
  const match = /^(.*?\/durabletask\/(?:instances|orchestrators\/[^/?#]+))([^?#]*)/.exec(url);
  if (match === null) return url;
  const [, base, path] = match as unknown as [string, string, string];
  return base + path.replace(/^\/[^/]+/, '/{instanceId}');
}
