import { MAX_INPUT_DEPTH, readJsonInput } from '../../../src/http/jsonInput';

const bytes = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

describe('readJsonInput', () => {
  it.each([
    ['', null],
    [' \n', null],
    ['null', null],
    ['{"items":3}', { items: 3 }],
    ['"text"', 'text'],
    [
      '[1,-2.5,1e3,0,-0.0,9007199254740991,-9007199254740991]',
      [1, -2.5, 1000, 0, -0, 2 ** 53 - 1, -(2 ** 53 - 1)],
    ],
    ['1e308', 1e308],
    ['5e-324', 5e-324],
    ['0e5', 0],
    ['12345678901234567890.5', Number('12345678901234567890.5')],
    ['{"a":{"a":1},"b":{"a":2}}', { a: { a: 1 }, b: { a: 2 } }],
    ['["a","a"]', ['a', 'a']],
    ['{"s":"\\ud83d\\ude00 \\" \\\\ [ { , \\"a\\":"}', { s: '\u{1F600} " \\ [ { , "a":' }],
    ['\ufeff{"bom":true}', { bom: true }],
    // Whitespace between tokens, and literals, are skipped by the scan.
    [' { "a" : [ 1 , -2 , true , false , null ] }\n', { a: [1, -2, true, false, null] }],
    // A string value is no key: it may equal a key of its object.
    ['{"a":"a","b":"b"}', { a: 'a', b: 'b' }],
    // Keys are per object: a nested object's keys do not count in its parent, and after it closes
    // the parent's next key is checked against the parent's own.
    ['{"a":{"b":1},"b":2}', { a: { b: 1 }, b: 2 }],
    ['[{"a":1},{"a":2}]', [{ a: 1 }, { a: 2 }]],
    // A fraction or exponent, however many digits, makes the literal a double, not an integer.
    ['0.9007199254740993', 0.9007199254740993],
    ['1.29007199254740993', Number('1.29007199254740993')],
  ])('reads %p', (text, input) => {
    expect(readJsonInput(bytes(text))).toEqual({ ok: true, input });
  });

  it(`accepts ${MAX_INPUT_DEPTH} levels of nesting, arrays or objects`, () => {
    expect(readJsonInput(bytes(nested(MAX_INPUT_DEPTH))).ok).toBe(true);
    expect(readJsonInput(bytes(nestedObjects(MAX_INPUT_DEPTH))).ok).toBe(true);
  });

  it('counts depth, not containers: many siblings are one level', () => {
    const siblings = (item: string) =>
      `[${Array(MAX_INPUT_DEPTH + 2)
        .fill(item)
        .join(',')}]`;
    expect(readJsonInput(bytes(siblings('[]'))).ok).toBe(true);
    expect(readJsonInput(bytes(siblings('{}'))).ok).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    [
      'arrays one level deeper than the engine reads',
      nested(MAX_INPUT_DEPTH + 1),
      /deeper than 64/,
    ],
    ['objects one level deeper', nestedObjects(MAX_INPUT_DEPTH + 1), /deeper than 64/],
    ['not JSON', '{"items":', /^The request body is not valid JSON\.$/],
    [
      'not JSON, the text not quoted',
      '{"name": secret}',
      /^The request body is not valid JSON( \(at character \d+\))?\.$/,
    ],
    ['two values', '1 2', /not valid JSON \(at character 2\)/],
    ['a number beyond a double', '[1e400]', /too large for a double at character 1 .*null/],
    ['a negative one', '-1.8e308', /too large/],
    ['a non-zero number below a double', '1e-400', /too small.*0\)/],
    [
      'an integer beyond 2^53 - 1',
      '{"n":9007199254740993}',
      /integer beyond .* at character 5: it would be rounded/,
    ],
    ['a negative one', '-12345678901234567890', /^(?!.*12345).*at character 0/],
    ['a repeated key', '{"a":1,"b":2,"a":3}', /repeats the key "a"/],
    ['a repeated key spelled with an escape', '{"a":1,"\\u0061":3}', /repeats the key "a"/],
    ['a lone surrogate in a string', '["\\ud800"]', /lone surrogate U\+D800/],
    ['a lone surrogate in a key', '{"\\udc00x":1}', /lone surrogate U\+DC00/],
  ])('refuses %s', (_what, text, detail) => {
    const read = readJsonInput(bytes(text));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.detail).toMatch(detail);
  });

  it('refuses bytes that are not UTF-8', () => {
    const read = readJsonInput(Uint8Array.from([0x22, 0xc3, 0x28, 0x22]));
    expect(read).toEqual({ ok: false, detail: 'The request body is not valid UTF-8.' });
  });
});
