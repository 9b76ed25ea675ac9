/**
 * ASP.NET Core's inline route constraints (`{id:int}`, `{name:minlength(3)}`, …), the ones a
 * Functions route template may use. An unknown constraint is an error at start, as in ASP.NET.
 */
type Check = (value: string, args: string[]) => boolean;

const integer = /^-?\d+$/;
const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const guid = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

const checks: Record<string, Check> = {
  int: (v) => integer.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  long: (v) => integer.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => guid.test(v),
  decimal: (v) => number.test(v),
  double: (v) => number.test(v),
  float: (v) => number.test(v),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  alpha: (v) => /^[a-z]*$/i.test(v),
  minlength: (v, [n]) => v.length >= Number(n),
  maxlength: (v, [n]) => v.length <= Number(n),
  length: (v, [a, b]) =>
    b === undefined ? v.length === Number(a) : v.length >= Number(a) && v.length <= Number(b),
  min: (v, [n]) => integer.test(v) && Number(v) >= Number(n),
  max: (v, [n]) => integer.test(v) && Number(v) <= Number(n),
  range: (v, [a, b]) => integer.test(v) && Number(v) >= Number(a) && Number(v) <= Number(b),
  // ASP.NET matches the pattern case-insensitively, anywhere unless anchored.
  regex: (v, [pattern]) => new RegExp(pattern, 'i').test(v),
  required: (v) => v.length > 0,
};

export interface RouteConstraint {
  readonly text: string;
  holds(value: string): boolean;
}

/** `minlength(3)` → a check; throws for a constraint ASP.NET does not know. */
export function parseConstraint(text: string): RouteConstraint {
  const call = /^([a-z]+)(?:\((.*)\))?$/i.exec(text);
  const check = call ? checks[call[1].toLowerCase()] : undefined;
  if (!call || !check) {
    throw new Error(`Unknown route constraint '${text}'.`);
  }
  const name = call[1].toLowerCase();
  const args = call[2] === undefined ? [] : name === 'regex' ? [call[2]] : call[2].split(',');
  return { text, holds: (value) => check(value, args) };
}
