/** Makes `require('@azure/functions-core')` resolve to the stand-in in a plain Node process. */
import Module from 'node:module';

export function install(): void {
  const moduleWithResolver = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = moduleWithResolver._resolveFilename;
  // Resolved, not joined: from TypeScript sources (a driver run with registerTs) it is index.ts.
  const standIn = require.resolve('./index');
  moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === '@azure/functions-core' ? standIn : original.call(this, request, ...rest);
  };
}
