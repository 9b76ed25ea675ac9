/** C# source text for the generated stubs. */

/** A C# regular string literal (quotes, backslashes and control characters escaped). */
export function csString(value: string): string {
  return (
    '"' +
    value
      .replace(/\\/g, '\\\\')
      .replace(/"/g, '\\"')
      .replace(
        // Control characters on purpose: a raw newline would end the C# literal.
        // eslint-disable-next-line no-control-regex
        /[\u0000-\u001f\u007f]/g,
        (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
      ) +
    '"'
  );
}
