/** The route table of the app's HTTP functions, as the host builds it from their metadata. */
import { findTrigger, type Registration } from '../../functions-core';
import { compileRoute, orderRoutes, type Route } from './routes';

/** The host's route prefix: host.json `extensions.http.routePrefix`, default `api`. */
export function routePrefix(hostJson: unknown): string {
  const prefix = (hostJson as { extensions?: { http?: { routePrefix?: unknown } } } | undefined)
    ?.extensions?.http?.routePrefix;
  return typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api';
}

/** One route per HTTP-triggered function (its `route`, else its name), in the host's order. */
export function appRoutes(registrations: Iterable<Registration>, prefix: string): Route[] {
  const routes: Route[] = [];
  for (const { metadata } of registrations) {
    const trigger = findTrigger(metadata);
    if (trigger?.binding.type !== 'httpTrigger') continue;
    const { route, methods } = trigger.binding;
    const template = typeof route === 'string' && route ? route : metadata.name;
    routes.push(
      compileRoute(metadata.name, template, prefix, Array.isArray(methods) ? methods : undefined),
    );
  }
  return orderRoutes(routes);
}
