/**
 * The C# stubs of timer and storage-queue functions: the WebJobs trigger attribute the Functions
 * host builds from the same binding metadata (`CoreExtensionsScriptBindingProvider` for timers:
 * `runOnStartup` default false, `useMonitor` default true; the queue extension's attribute for
 * queues, bound as `string`, or `byte[]` with `dataType: 'binary'`), a `[DurableClient] string` per
 * durable client input (the extension produces its binding data per invocation, as under the
 * host), and the `Binder` whose binding data the host sends as trigger metadata.
 *
 * The stubs live in `Host.Functions`, the type the Functions host generates, with the function's
 * name as the method name where C# allows it: the timer's listener lock
 * (`locks/<host id>/Host.Functions.<name>.Listener`) and its schedule status blob
 * (`timers/<host id>/Host.Functions.<name>/status`) are named after it.
 */
import { durableClientInputs, findTrigger, type Registration } from '../functions-core';
import { csString } from './cs-syntax';

/** The trigger types that get a stub here. */
export const STUB_TRIGGERS = new Set(['timerTrigger', 'queueTrigger']);

/** The host reads these with `GetMetadataValue<bool>`: a boolean, or its JSON string form. */
function flag(value: unknown, fallback: boolean, what: string): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  throw new Error(`${what} must be true or false, not ${JSON.stringify(value)}.`);
}

function requiredString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${what} must be a non-empty string.`);
  }
  return value;
}

/** The trigger parameter: attribute, type and name. */
export function triggerParameter(registration: Registration): string {
  const { metadata } = registration;
  const trigger = findTrigger(metadata);
  const where = `Function '${metadata.name}'`;
  if (trigger?.binding.type === 'timerTrigger') {
    const b = trigger.binding;
    const schedule = requiredString(b.schedule, `${where}: the timer's schedule`);
    const runOnStartup = flag(b.runOnStartup, false, `${where}: runOnStartup`);
    const useMonitor = flag(b.useMonitor, true, `${where}: useMonitor`);
    return `[TimerTrigger(${csString(schedule)}, RunOnStartup = ${runOnStartup}, UseMonitor = ${useMonitor})] TimerInfo trigger`;
  }
  if (trigger?.binding.type === 'queueTrigger') {
    const b = trigger.binding;
    const queue = requiredString(b.queueName, `${where}: the queue's queueName`);
    const connection =
      b.connection === undefined || b.connection === null || b.connection === ''
        ? ''
        : `, Connection = ${csString(requiredString(b.connection, `${where}: connection`))}`;
    // The host binds an out-of-process trigger as string unless dataType asks for bytes.
    const binary = typeof b.dataType === 'string' && /^(binary|stream)$/i.test(b.dataType);
    return `[QueueTrigger(${csString(queue)}${connection})] ${binary ? 'byte[]' : 'string'} trigger`;
  }
  throw new Error(`${where} has no timer or queue trigger.`);
}

/** `@name` where the function's name is a C# identifier, else a sanitized one (see the README). */
export function methodNames(names: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  const used = new Set<string>(['functions']); // a member may not share its type's name
  for (const name of names) {
    let method = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(method)) method = '_' + method;
    for (let i = 2; used.has(method.toLowerCase()); i++) method = `${method}_${i}`;
    used.add(method.toLowerCase());
    result.set(name, '@' + method);
  }
  return result;
}

/** The `[DurableClient]` attribute of one input, with the task hub or connection it names. */
export function durableClientAttribute(binding: Record<string, unknown>): string {
  const args: string[] = [];
  if (typeof binding.taskHub === 'string' && binding.taskHub)
    args.push(`TaskHub = ${csString(binding.taskHub)}`);
  if (typeof binding.connectionName === 'string' && binding.connectionName)
    args.push(`ConnectionName = ${csString(binding.connectionName)}`);
  return args.length ? `[DurableClient(${args.join(', ')})]` : '[DurableClient]';
}

/** The stub method of one timer or queue function. */
export function triggerStub(registration: Registration, method: string): string[] {
  const name = registration.metadata.name;
  const clients = durableClientInputs(registration.metadata);
  const parameters = [
    triggerParameter(registration),
    ...clients.map((c, i) => `${durableClientAttribute(c.binding)} string? client${i}`),
    'Binder binder',
  ];
  const map = clients.map((c, i) => `[${csString(c.name)}] = client${i}`).join(', ');
  const clientMap = map
    ? `new Dictionary<string, string?> { ${map} }`
    : 'new Dictionary<string, string?>()';
  return [
    `        [FunctionName(${csString(name)})]`,
    `        public static Task ${method}(`,
    ...parameters.map((p, i) => `            ${p}${i < parameters.length - 1 ? ',' : ')'}`),
    `            => Bridge.RunTriggerAsync(${csString(name)}, trigger, binder, ${clientMap});`,
    '',
  ];
}
