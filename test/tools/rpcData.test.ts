import { failureMessage, typedDataToJson } from '../../tools/local-host/rpc-data';

describe('failure messages for the log', () => {
  it("takes an orchestrator's error from the state durable-functions appends", () => {
    // durable-functions 3.x puts `false` before the state; the real error is the state's `error`.
    const state = { isDone: false, actions: [], error: 'Error: quota exceeded\n    at step' };
    expect(failureMessage(`false\n\n$OutOfProcData$:${JSON.stringify(state)}`)).toBe(
      'Error: quota exceeded',
    );
  });

  it('keeps the first line of any other message', () => {
    expect(failureMessage('thrown on purpose\n    at x')).toBe('thrown on purpose');
    expect(failureMessage('bad\n\n$OutOfProcData$:{not json')).toBe('bad');
  });
});

describe('RPC typed data as JSON text', () => {
  it.each([
    [{ json: '{"a":"2026-01-01T00:00:05.100Z"}' }, '{"a":"2026-01-01T00:00:05.100Z"}'],
    [{ string: 'text' }, '"text"'],
    [{ int: 5 }, '5'],
    [{ double: 1.5 }, '1.5'],
    [{ bytes: Buffer.from('hi') }, '"aGk="'],
    [undefined, 'null'],
  ])('%j → %s', (data, json) => {
    expect(typedDataToJson(data)).toBe(json);
  });
});
