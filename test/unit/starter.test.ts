import { createStarter } from '../../src/starter';

/** A client that must not be reached: a misconfigured starter answers before any call. */
const unreachable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('the durable client was used');
    },
  },
) as never;
const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn() };

describe('createStarter', () => {
  it('builds the settings from valid settings', () => {
    const starter = createStarter({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }, undefined);
    expect(starter.config?.lockWaitMs).toBe(10_000);
  });

  it('keeps a bad setting, naming it, and answers every start misconfigured', async () => {
    const starter = createStarter(
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true', SINGLETON_LOCK_WAIT_MS: 'soon' },
      undefined,
    );
    expect(starter.config).toBeUndefined();
    const result = await starter.start({ orchestrator: 'x', instanceId: 'a' }, unreachable, log);
    expect(result).toEqual({
      kind: 'misconfigured',
      detail: expect.stringContaining('SINGLETON_LOCK_WAIT_MS') as unknown,
    });
    expect(log.warn).toHaveBeenCalledWith(result.kind === 'misconfigured' && result.detail);
  });

  it('keeps a missing storage connection, naming the setting', async () => {
    const starter = createStarter({}, undefined);
    const result = await starter.start({ orchestrator: 'x', instanceId: 'a' }, unreachable, log);
    expect(result).toEqual({
      kind: 'misconfigured',
      detail: expect.stringContaining('AzureWebJobsStorage') as unknown,
    });
  });
});
