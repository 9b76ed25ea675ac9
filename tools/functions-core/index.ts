/**
 * Stand-in for `@azure/functions-core`, the module the Azure Functions Node worker provides at run
 * time. `@azure/functions` hands it the programming model and every registration; here they are
 * recorded so tests and the local host can read the metadata the host would see and invoke the
 * handlers through `@azure/functions`' own invocation model, exactly as the worker does.
 *
 * Resolve it under the name `@azure/functions-core` (jest `moduleNameMapper`, or `install()` for
 * plain Node) before the app's function files are loaded.
 */
// The API `@azure/functions` calls.
export {
  getProgrammingModel,
  log,
  registerFunction,
  registerHook,
  setProgrammingModel,
} from './registry';
// Helpers for the tests and the local host.
export { getRegistration, getRegistrations, setLogSink } from './registry';
export { durableClientInputs, findTrigger, nonHttpOutputs, type NamedBinding } from './bindings';
export { invoke } from './invocation';
export {
  hasDeclaredBody,
  invokeHttpFunction,
  queryOf,
  type HttpCall,
  type HttpReply,
} from './http';
export { install } from './install';
export type * from './types';
