/** Kestrel's request path, piece by piece (see request-path.ts for the ASP.NET sources). */
import {
  BadRequestTarget,
  decodePath,
  pathToUriComponent,
  removeDotSegments,
  requestPath,
} from '../../tools/local-host/http/request-path';

describe('decodePath (UrlDecoder.DecodeInPlace)', () => {
  it.each([
    ['/a%20b/caf%C3%A9', '/a b/café'],
    ['/a%2Fb/c%2fd', '/a%2Fb/c%2fd'],
    ['/%2E%2e', '/..'],
    ['/100%/x%zz/%4', '/100%/x%zz/%4'],
    ['/%C3', '/%C3'],
    ['/%C3%A9%C3', '/é%C3'],
    ['/%C3%28', '/%C3('],
    ['/%80%BF', '/%80%BF'],
    ['/%C0%AE', '/%C0%AE'],
    ['/%E0%80%AE', '/%E0%80%AE'],
    ['/%ED%A0%80', '/%ED%A0%80'],
    ['/%ED%9F%BF', '/\uD7FF'],
    ['/%F0%9F%98%80', '/😀'],
    ['/%F4%90%80%80', '/%F4%90%80%80'],
    ['/%F8%88%80%80%80', '/%F8%88%80%80%80'],
    ['/%252F', '/%2F'],
  ])('%s → %s', (raw, decoded) => {
    expect(decodePath(raw)).toBe(decoded);
  });

  it('refuses %00', () => {
    expect(() => decodePath('/a%00')).toThrow(BadRequestTarget);
  });
});

describe('removeDotSegments (PathNormalizer, RFC 3986 5.2.4)', () => {
  it.each([
    ['/a/b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/.', '/a/'],
    ['/a/..', '/'],
    ['/a/b/..', '/a/'],
    ['/a/b/../c', '/a/c'],
    ['/..', '/'],
    ['/../..', '/'],
    ['/../a', '/a'],
    ['/.', '/'],
    ['/', '/'],
    ['/a//..', '/a/'],
    ['/a/.../b', '/a/.../b'],
    ['/a/.b/..c', '/a/.b/..c'],
    ['/a/..%2F', '/a/..%2F'],
  ])('%s → %s', (path, normalized) => {
    expect(removeDotSegments(path)).toBe(normalized);
  });
});

describe('requestPath', () => {
  it('decodes before removing dot segments, and splits the query off first', () => {
    expect(requestPath('/api/x/%2E%2E/y?z=/..')).toEqual({ path: '/api/y', query: '?z=/..' });
    expect(requestPath('/api/x')).toEqual({ path: '/api/x', query: '' });
  });

  it('takes the path of an absolute-form target', () => {
    expect(requestPath('http://localhost:7071/api/a/../b?c')).toEqual({
      path: '/api/b',
      query: '?c',
    });
  });
});

describe('pathToUriComponent (PathString.ToUriComponent)', () => {
  it.each([
    ['/api/x', '/api/x'],
    ["/a:b@c!$&'()*+,;=-._~", "/a:b@c!$&'()*+,;=-._~"],
    ['/a b', '/a%20b'],
    ['/a\\b#c?d', '/a%5Cb%23c%3Fd'],
    ['/a%2Fb', '/a%2Fb'],
    ['/100%', '/100%25'],
    ['/%zz', '/%25zz'],
    ['/café😀', '/caf%C3%A9%F0%9F%98%80'],
    ['/"<>[]^`{|}', '/%22%3C%3E%5B%5D%5E%60%7B%7C%7D'],
  ])('%s → %s', (path, uri) => {
    expect(pathToUriComponent(path)).toBe(uri);
  });
});
