import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { durableClient } from '../../../src/durable/client';
import { durableClientBinding } from '../../support/durableClientBinding';

/** An invocation as the worker makes it: a durable client input and its binding data. */
function invocation(binding: string | undefined) {
  const clientInput = df.input.durableClient();
  const context = new InvocationContext({
    functionName: 'underTest',
    invocationId: 'inv',
    options: { trigger: { type: 'test', name: 'trigger' }, extraInputs: [clientInput] },
  });
  if (binding !== undefined) context.extraInputs.set(clientInput, JSON.parse(binding));
  return context;
}

describe('durableClient(context)', () => {
  it('builds one client for every invocation with the same binding data', () => {
    const binding = durableClientBinding('http://127.0.0.1:1/durabletask/');
    const first = durableClient(invocation(binding));
    expect(durableClient(invocation(binding))).toBe(first);
    expect(first.taskHubName).toBe('TestHubName');
  });

  it('builds another for other binding data: another task hub, endpoint or key', () => {
    const binding = durableClientBinding('http://127.0.0.1:1/durabletask/');
    const first = durableClient(invocation(binding));
    const otherHub = durableClient(
      invocation(durableClientBinding('http://127.0.0.1:1/durabletask/', 'OtherHub')),
    );
    expect(otherHub).not.toBe(first);
    expect(otherHub.taskHubName).toBe('OtherHub');
    const otherKey = durableClient(invocation(binding.replace(/test-key/g, 'rotated-key')));
    expect(otherKey).not.toBe(first);
    expect(otherKey).not.toBe(otherHub);
    expect(durableClient(invocation(binding))).toBe(first);
  });

  it('fails as getClient does when the function has no binding data', () => {
    expect(() => durableClient(invocation(undefined))).toThrow(/not a valid durable client input/);
  });
});
