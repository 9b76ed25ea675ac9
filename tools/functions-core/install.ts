/** Makes `require('@azure/functions-core')` resolve to the stand-in in a plain Node process. */
import Module from 'node:module';
import path from 'node:path';

export function install(): void {
  const moduleWithResolver = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = moduleWithResolver._resolveFilename;
  const standIn = path.join(__dirname, 'index.js');
  moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === '@azure/functions-core' ? standIn : original.call(this, request, ...rest);
  };
}
