import { inWaves, planChunks } from '../../../src/jobs/processBatch/chunks';
import { combineChecksums, processChunk } from '../../../src/jobs/processBatch/processChunk';

describe('processBatch chunk planning', () => {
  it('covers every record once, the last chunk holding the remainder', () => {
    expect(planChunks(12, 5)).toEqual([
      { index: 0, firstItem: 1, itemCount: 5 },
      { index: 1, firstItem: 6, itemCount: 5 },
      { index: 2, firstItem: 11, itemCount: 2 },
    ]);
  });

  it('groups chunks into waves of at most `parallelism`', () => {
    expect(inWaves([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inWaves([1, 2], 4)).toEqual([[1, 2]]);
  });
});

describe('processBatch chunk processing', () => {
  it('accounts for every record of the chunk, reproducibly', () => {
    const chunk = { index: 3, firstItem: 16, itemCount: 50 };
    const result = processChunk(chunk);

    expect(result.index).toBe(3);
    expect(result.processed + result.rejected).toBe(50);
    expect(result.rejected).toBeGreaterThan(0);
    expect(result.checksum).toMatch(/^[0-9a-f]{8}$/);
    expect(processChunk(chunk)).toEqual(result);
  });

  it('combines chunk checksums independently of their order', () => {
    const sums = planChunks(30, 7).map((chunk) => processChunk(chunk).checksum);
    const whole = processChunk({ index: 0, firstItem: 1, itemCount: 30 }).checksum;

    expect(combineChecksums(sums)).toBe(whole);
    expect(combineChecksums([...sums].reverse())).toBe(whole);
  });
});
