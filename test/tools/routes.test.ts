import { decodePath, requestPath } from '../../tools/local-host/http/request-path';
import { compileRoute, matchRoute, orderRoutes } from '../../tools/local-host/http/routes';

const route = (template: string, methods?: string[], name = 'fn') =>
  compileRoute(name, template, 'api', methods);
/** A request target routed as the front door does: Kestrel's path first, then the routes. */
const paramsOf = (template: string, target: string, method = 'GET') =>
  matchRoute([route(template)], method, requestPath(target).path)?.params;

describe('route templates', () => {
  it('matches literals case-insensitively under the prefix, with an optional trailing slash', () => {
    expect(paramsOf('Orchestrators/run', '/api/orchestrators/RUN/')).toEqual({});
    expect(paramsOf('orchestrators/run', '/orchestrators/run')).toBeUndefined();
    expect(paramsOf('orchestrators/run', '/api/orchestrators/run/more')).toBeUndefined();
  });

  it('captures one segment per parameter', () => {
    expect(paramsOf('orchestrators/{functionName}/{instanceId}', '/api/orchestrators/a/b')).toEqual(
      { functionName: 'a', instanceId: 'b' },
    );
    expect(paramsOf('orchestrators/{functionName}/{instanceId}', '/api/orchestrators/a')).toBe(
      undefined,
    );
  });

  it('gives a missing optional parameter as empty, as the host does', () => {
    expect(paramsOf('items/{id?}', '/api/items')).toEqual({ id: '' });
    expect(paramsOf('items/{id?}', '/api/items/7')).toEqual({ id: '7' });
  });

  it('gives a missing parameter its default value', () => {
    expect(paramsOf('items/{page=1}', '/api/items')).toEqual({ page: '1' });
  });

  it('takes the rest of the path for a catch-all parameter', () => {
    expect(paramsOf('files/{*path}', '/api/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(paramsOf('files/{**path}', '/api/files')).toEqual({ path: '' });
  });

  it('splits complex segments', () => {
    expect(paramsOf('docs/{name}.{ext}', '/api/docs/report.pdf')).toEqual({
      name: 'report',
      ext: 'pdf',
    });
  });

  it('uses the function name when the template is the name, and an empty prefix', () => {
    const r = compileRoute('hello', 'hello', '');
    expect(matchRoute([r], 'GET', '/hello')?.route.functionName).toBe('hello');
  });
});

describe('route constraints', () => {
  it.each([
    ['{id:int}', '42', true],
    ['{id:int}', 'x42', false],
    ['{id:int:min(10)}', '9', false],
    ['{id:int:min(10)}', '10', true],
    ['{id:range(1,3)}', '4', false],
    ['{n:minlength(3)}', 'ab', false],
    ['{n:maxlength(3)}', 'abc', true],
    ['{n:length(2,3)}', 'abcd', false],
    ['{n:alpha}', 'abc1', false],
    ['{b:bool}', 'True', true],
    ['{g:guid}', '0f8fad5b-d9cb-469f-a165-70867728950e', true],
    ['{g:guid}', 'not-a-guid', false],
    ['{v:regex(^v\\d+$)}', 'V2', true],
    ['{v:regex(^v\\d+$)}', 'x2', false],
    ['{id:int?}', '', true],
  ])('%s against %j → %s', (template, value, matches) => {
    const path = value === '' ? '/api/c' : `/api/c/${value}`;
    expect(paramsOf(`c/${template}`, path) !== undefined).toBe(matches);
  });

  it('refuses an unknown constraint when the route is compiled', () => {
    expect(() => route('c/{id:color}')).toThrow("Unknown route constraint 'color'");
  });
});

describe('decoding', () => {
  it('decodes escapes except %2F, which stays encoded (Kestrel)', () => {
    expect(decodePath('/api/a%20b/c%2Fd/e%2fF/caf%C3%A9')).toBe('/api/a b/c%2Fd/e%2fF/café');
    expect(paramsOf('x/{id}', '/api/x/a%2Fb')).toEqual({ id: 'a%2Fb' });
    expect(paramsOf('x/{id}', '/api/x/a%3Fb')).toEqual({ id: 'a?b' });
  });

  it('keeps a malformed escape as it came and decodes the rest', () => {
    expect(decodePath('/api/100%/caf%C3%A9%zz')).toBe('/api/100%/café%zz');
  });

  it('matches literals written with escapes', () => {
    expect(paramsOf('orchestrators/{id}', '/api/%6Frchestrators/x')).toEqual({ id: 'x' });
  });
});

describe('methods and order', () => {
  it('skips a route whose methods do not include the request method', () => {
    const routes = [route('x', ['POST'], 'postOnly'), route('x', undefined, 'any')];
    expect(matchRoute(routes, 'get', '/api/x')?.route.functionName).toBe('any');
    expect(matchRoute(routes, 'post', '/api/x')?.route.functionName).toBe('postOnly');
  });

  it('orders routes by function name, case-insensitively, and takes the first match (the host)', () => {
    const starter = route('orchestrators/{functionName}/{instanceId}', ['POST'], 'httpStartSingle');
    const waiter = route('orchestrators/wait/{name}', ['POST'], 'HttpStartAndWait');
    const ordered = orderRoutes([starter, waiter]);
    expect(ordered.map((r) => r.functionName)).toEqual(['HttpStartAndWait', 'httpStartSingle']);
    expect(matchRoute(ordered, 'POST', '/api/orchestrators/wait/x')?.route.functionName).toBe(
      'HttpStartAndWait',
    );
    // A name sorting first wins even over a more specific template: the host has no precedence.
    const catchAll = route('{*path}', undefined, 'aCatchAll');
    expect(
      matchRoute(orderRoutes([waiter, catchAll]), 'POST', '/api/orchestrators/wait/x')?.route
        .functionName,
    ).toBe('aCatchAll');
  });
});
