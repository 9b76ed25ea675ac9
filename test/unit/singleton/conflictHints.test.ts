import { ConflictHints } from '../../../src/singleton/conflictHints';

describe('ConflictHints', () => {
  it('remembers refused IDs until they are started', () => {
    const hints = new ConflictHints();
    hints.conflicted('a');
    expect(hints.expectsConflict('a')).toBe(true);
    expect(hints.expectsConflict('b')).toBe(false);
    hints.started('a');
    expect(hints.expectsConflict('a')).toBe(false);
  });

  it('keeps at most its bound, forgetting the least recently refused', () => {
    const hints = new ConflictHints(2);
    hints.conflicted('a');
    hints.conflicted('b');
    hints.conflicted('a'); // refreshed: now b is the oldest
    hints.conflicted('c');
    expect(['a', 'b', 'c'].map((id) => hints.expectsConflict(id))).toEqual([true, false, true]);
  });
});
