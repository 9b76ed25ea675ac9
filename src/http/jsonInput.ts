/**
 * Reads a start request's body as the orchestration input, refusing what the engine would refuse
 * or what would reach it changed:
 *  - bytes that are not UTF-8 (decoding would put U+FFFD in their place);
 *  - text that is not JSON;
 *  - nesting deeper than 64 containers: the extension parses the start body with Json.NET's
 *    default `MaxDepth` of 64 (`HttpApiHandler.cs` → `JsonConvert.DeserializeObject` with the
 *    settings of `MessageSerializerSettingsFactory.cs`, which leave `MaxDepth` unset);
 *  - numbers a JavaScript number cannot hold: beyond ±1.8e308 (`JSON.parse` gives Infinity, which
 *    the client sends as `null`), a non-zero literal that rounds to 0, an integer literal beyond
 *    ±(2^53 − 1) (rounded; send such values as strings). Other decimals get IEEE 754 doubles, as
 *    in the engine;
 *  - a key repeated in one object (`JSON.parse` keeps the last, silently dropping the others);
 *  - lone surrogates in strings or keys (`"\ud800"`): they have no UTF-8 form in storage.
 */
import { codePointName } from '../singleton/instanceId';

/** Json.NET's default `MaxDepth`: containers nested deeper than this fail the engine's start. */
export const MAX_INPUT_DEPTH = 64;

export type InputRead =
  { readonly ok: true; readonly input: unknown } | { readonly ok: false; readonly detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** No body (or only whitespace) is no input: `null`. */
export function readJsonInput(body: Uint8Array): InputRead {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, detail: 'The request body is not valid UTF-8.' };
  }
  if (text.trim() === '') return { ok: true, input: null };
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { ok: false, detail: notJson(error as Error) };
  }
  const problem = scan(text);
  return problem === undefined ? { ok: true, input } : { ok: false, detail: problem };
}

/**
 * V8's parse errors quote the text around the mistake (`Unexpected token 'x', "…" is not valid
 * JSON`); the answer names only where it is, since the body may carry personal data.
 */
function notJson(error: Error): string {
  const position = /at position (\d+)/.exec(error.message)?.[1];
  return position === undefined
    ? 'The request body is not valid JSON.'
    : `The request body is not valid JSON (at character ${position}).`;
}

interface Container {
  readonly keys?: Set<string>;
  expectKey: boolean;
}

/** One pass over text already known to be JSON: depth, numbers, keys, strings. */
function scan(text: string): string | undefined {
  const stack: Container[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{' || c === '[') {
      if (stack.length === MAX_INPUT_DEPTH) {
        return `The input nests deeper than ${MAX_INPUT_DEPTH} levels, the Durable engine's limit (Json.NET MaxDepth).`;
      }
      stack.push(c === '{' ? { keys: new Set(), expectKey: true } : { expectKey: false });
      i += 1;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i += 1;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      i += 1;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const value = JSON.parse(text.slice(i, end)) as string;
      const surrogate = LONE_SURROGATE.exec(value);
      if (surrogate) {
        return `The input holds the lone surrogate ${codePointName(surrogate[0].charCodeAt(0))} in a string: it has no UTF-8 form.`;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        if (top.keys.has(value)) {
          return `The input repeats the key ${JSON.stringify(value)} in one object; only one value would be kept.`;
        }
        top.keys.add(value);
        top.expectKey = false;
      }
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text)!;
      const problem = numberProblem(match[0], match[1] !== undefined || match[2] !== undefined, i);
      if (problem) return problem;
      i = NUMBER.lastIndex;
    } else {
      // Whitespace, ':' and the letters of true/false/null.
      i += 1;
    }
  }
  return undefined;
}

/** The index just past the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The number is named by its position: the answer never quotes the input. */
function numberProblem(
  literal: string,
  hasFractionOrExponent: boolean,
  at: number,
): string | undefined {
  const value = Number(literal);
  if (!Number.isFinite(value)) {
    return `The input holds a number too large for a double at character ${at} (it would become null).`;
  }
  if (value === 0 && /[1-9]/.test(literal.split(/[eE]/)[0]!)) {
    return `The input holds a number too small for a double at character ${at} (it would become 0).`;
  }
  if (!hasFractionOrExponent && !Number.isSafeInteger(value)) {
    return `The input holds an integer beyond ±(2^53 − 1) at character ${at}: it would be rounded. Send it as a string.`;
  }
  return undefined;
}
