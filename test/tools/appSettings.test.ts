import type { Registration } from '../../tools/functions-core';
import { assertSettingsResolve, unresolvedSettings } from '../../tools/local-host/app-settings';

const fn = (name: string, bindings: Registration['metadata']['bindings']): Registration => ({
  metadata: { name, bindings },
  handler: () => undefined,
});

const nightly = fn('nightly', {
  timer: { type: 'timerTrigger', direction: 'in', schedule: '%NIGHTLY_SCHEDULE%' },
});
const orders = fn('orders', {
  msg: { type: 'queueTrigger', direction: 'in', queueName: '%ORDERS%-%REGION%' },
});
const plain = fn('plain', {
  timer: { type: 'timerTrigger', direction: 'in', schedule: '0 */5 * * * *' },
});

describe('app settings named in triggers', () => {
  it('names each %SETTING% of a schedule or queue name that is not set', () => {
    expect(unresolvedSettings([nightly, orders, plain], { REGION: 'eu' })).toEqual([
      "Function 'nightly': its schedule '%NIGHTLY_SCHEDULE%' names the app setting NIGHTLY_SCHEDULE, which is not set.",
      "Function 'orders': its queueName '%ORDERS%-%REGION%' names the app setting ORDERS, which is not set.",
    ]);
  });

  it('accepts them all once set', () => {
    const env = { NIGHTLY_SCHEDULE: '0 0 2 * * *', ORDERS: 'orders', REGION: 'eu' };
    expect(unresolvedSettings([nightly, orders, plain], env)).toEqual([]);
    expect(() => assertSettingsResolve([nightly, orders], env)).not.toThrow();
    expect(() => assertSettingsResolve([nightly], {})).toThrow(/environment of the local host/);
  });
});
