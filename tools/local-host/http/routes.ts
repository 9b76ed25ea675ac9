/**
 * HTTP function routes as the Functions host maps them (ASP.NET Core route templates under the
 * host.json route prefix): `{p}`, `{p:constraint}`, `{p?}`, `{p=default}`, `{*p}` / `{**p}`,
 * literals matched case-insensitively, an optional trailing slash; tried in the host's order.
 */
import { parseConstraint, type RouteConstraint } from './route-constraints';

export interface RouteParameter {
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue?: string;
  readonly constraints: readonly RouteConstraint[];
}

export interface Route {
  readonly functionName: string;
  readonly template: string;
  /** Upper-case methods; undefined accepts every method. */
  readonly methods?: readonly string[];
  readonly regex: RegExp;
  readonly parameters: readonly RouteParameter[];
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `{*rest}`, `{id:int:min(1)?}`, `{v=1}` → a parameter. */
function parseParameter(token: string): RouteParameter {
  const catchAll = /^\*\*?/.exec(token)?.[0].length ?? 0;
  let body = token.slice(catchAll);
  let defaultValue: string | undefined;
  const eq = body.indexOf('=');
  if (eq >= 0) {
    defaultValue = body.slice(eq + 1);
    body = body.slice(0, eq);
  }
  const optional = body.endsWith('?');
  if (optional) body = body.slice(0, -1);
  // Constraints are separated by `:` outside parentheses (a regex argument may contain `:`).
  const parts = body.split(/:(?![^(]*\))/);
  const name = parts[0];
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`Invalid route parameter '{${token}}'.`);
  }
  return {
    name,
    optional: optional || catchAll > 0 || defaultValue !== undefined,
    catchAll: catchAll > 0,
    defaultValue,
    constraints: parts.slice(1).map(parseConstraint),
  };
}

/** Compiles a function's route template (already without the prefix) under `prefix`. */
export function compileRoute(
  functionName: string,
  template: string,
  prefix: string,
  methods?: readonly string[],
): Route {
  const parameters: RouteParameter[] = [];
  let pattern = '';
  const segments = [...prefix.split('/'), ...template.split('/')].filter((s) => s.length > 0);
  for (const segment of segments) {
    const whole = /^\{([^{}]+)\}$/.exec(segment);
    const parameter = whole ? parseParameter(whole[1]) : undefined;
    if (parameter?.catchAll) {
      pattern += '(?:/(.*))?';
      parameters.push(parameter);
    } else if (parameter?.optional) {
      pattern += '(?:/([^/]+))?';
      parameters.push(parameter);
    } else {
      // A literal, one parameter, or a complex segment such as `{name}.{ext}`.
      let text = '';
      let last = 0;
      const re = /\{([^{}]+)\}/g;
      for (let m = re.exec(segment); m; m = re.exec(segment)) {
        text += escape(segment.slice(last, m.index)) + '([^/]+?)';
        parameters.push(parseParameter(m[1]));
        last = m.index + m[0].length;
      }
      pattern += '/' + text + escape(segment.slice(last));
    }
  }
  return {
    functionName,
    template,
    methods: methods?.map((m) => m.toUpperCase()),
    regex: new RegExp('^' + pattern + '/?$', 'i'),
    parameters,
  };
}

/**
 * The host's order: it maps routes function by function in the order of its function list, which
 * it sorts by name (`FunctionMetadataManager`: `OrderBy(f => f.Name, OrdinalIgnoreCase)`), and
 * ASP.NET's `RouteCollection` takes the first route that matches (no precedence by template).
 */
export function orderRoutes(routes: readonly Route[]): Route[] {
  const key = (r: Route) => r.functionName.toUpperCase();
  return [...routes].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function matchOne(route: Route, method: string, path: string): RouteMatch | undefined {
  if (route.methods && !route.methods.includes(method.toUpperCase())) return undefined;
  const match = route.regex.exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [i, parameter] of route.parameters.entries()) {
    const value = match[i + 1];
    if (value === undefined) {
      // The host passes a missing optional parameter as '' (null → '' in the worker).
      params[parameter.name] = parameter.defaultValue ?? '';
    } else if (parameter.constraints.every((c) => c.holds(value))) {
      params[parameter.name] = value;
    } else {
      return undefined;
    }
  }
  return { route, params };
}

/**
 * The first route (in the given order) whose methods, template and constraints match `path`, the
 * path as Kestrel hands it to routing (`requestPath`: decoded, dot segments removed). A method not
 * in a function's `methods` fails that route's `HttpMethodRouteConstraint` (ASP.NET compares
 * case-insensitively), as a template that does not match would: when no route is left the host
 * answers 404 with an empty body (the end of its pipeline), never 405.
 */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): RouteMatch | undefined {
  for (const route of routes) {
    const found = matchOne(route, method, path);
    if (found) return found;
  }
  return undefined;
}
