/** Pure planning of the batch: which records each chunk covers and which chunks run together. */

/** What one `processBatchChunk` call processes: records `firstItem` .. `firstItem + itemCount - 1`. */
export interface ChunkSpec {
  readonly index: number;
  readonly firstItem: number;
  readonly itemCount: number;
}

export function planChunks(items: number, chunkSize: number): ChunkSpec[] {
  const chunks: ChunkSpec[] = [];
  for (let first = 1, index = 0; first <= items; first += chunkSize, index++) {
    chunks.push({ index, firstItem: first, itemCount: Math.min(chunkSize, items - first + 1) });
  }
  return chunks;
}

/**
 * Groups chunks into waves of at most `parallelism`. A wave is one fan-out/fan-in: durable-functions
 * only schedules a task when it is yielded, so bounded parallelism with progress between waves is
 * the way to both fan out and report progress.
 */
export function inWaves<T>(chunks: readonly T[], parallelism: number): T[][] {
  const waves: T[][] = [];
  for (let start = 0; start < chunks.length; start += parallelism) {
    waves.push(chunks.slice(start, start + parallelism));
  }
  return waves;
}
