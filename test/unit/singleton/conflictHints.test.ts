import { ConflictHints } from '../../../src/singleton/conflictHints';

describe('ConflictHints', () => {
  it('remembers the IDs it is told to expect a conflict for', () => {
    const hints = new ConflictHints();
    hints.expectConflict('a');
    expect(hints.expectsConflict('a')).toBe(true);
    expect(hints.expectsConflict('b')).toBe(false);
  });

  it('keeps at most its bound, forgetting the least recently noted', () => {
    const hints = new ConflictHints(2);
    hints.expectConflict('a');
    hints.expectConflict('b');
    hints.expectConflict('a'); // refreshed: now b is the oldest
    hints.expectConflict('c');
    expect(['a', 'b', 'c'].map((id) => hints.expectsConflict(id))).toEqual([true, false, true]);
  });
});
