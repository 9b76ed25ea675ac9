/**
 * How the outgoing HTTP spans (the durable client's calls to the extension, the lock's calls to
 * storage) record their URLs. Always: the system key, should a URL carry it as `code` (the
 * extension's webhook form; the local RPC endpoint needs none), is written as `REDACTED`, with the
 * instrumentation's own list of signed-URL parameters. With `SINGLETON_REDACT_INSTANCE_IDS`: the
 * instance ID in an extension URL becomes `{instanceId}` and its query goes (`redaction.ts`). The
 * request hook runs right after the span starts with its URL attributes, so a call that fails
 * before any answer is covered too.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { redactOutgoingUrl, type Redaction } from '../redaction';

/** `@opentelemetry/instrumentation-http`'s defaults (not exported), and the system key. */
const QUERY_VALUES_TO_REDACT = ['sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature', 'code'];

/** The attributes, old and stable semantic conventions, that hold a URL or its path. */
const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target', 'url.path'] as const;

export function outgoingHttpConfig(redaction: Redaction): HttpInstrumentationConfig {
  return {
    redactedQueryParams: QUERY_VALUES_TO_REDACT,
    ...(redaction.instanceIds && { requestHook: (span: Span) => redactUrlAttributes(span) }),
  };
}

/** Rewrites the span's URL attributes; the SDK's spans expose what they hold as `attributes`. */
export function redactUrlAttributes(span: Span): void {
  const attributes = (span as Partial<{ attributes: Attributes }>).attributes ?? {};
  let rewritten = false;
  for (const name of URL_ATTRIBUTES) {
    const value = attributes[name];
    if (typeof value !== 'string') continue;
    const redacted = redactOutgoingUrl(value);
    if (redacted !== value) {
      span.setAttribute(name, redacted);
      rewritten = true;
    }
  }
  if (rewritten && typeof attributes['url.query'] === 'string') span.setAttribute('url.query', '');
}
