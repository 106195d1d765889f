/**
 * For `compress: auto`: the first chunk is cut into two small probe chunks and the rest, so the
 * link can be measured both ways (sent as it is, and gzipped) for the price of a small chunk
 * instead of a whole one. The cuts fall on CSV record boundaries like every other chunk's, and
 * chunks are numbered anew (Anaplan only needs them consecutive).
 */
import { countRecords, firstRecordEnd, once } from '@pipe/core';
import type { UploadChunk } from './document-chunks';

export const PROBE_CHUNK_BYTES = 1_000_000;
const PROBES = 2;

/**
 * `chunks` with the first one cut into probe chunks and the rest, when it is large enough;
 * `onProbes` hears how many probe chunks lead (0 when the first chunk was not cut).
 */
export async function* withProbeChunks(
  chunks: AsyncIterable<UploadChunk>,
  onProbes: (count: number) => void,
  probeBytes = PROBE_CHUNK_BYTES,
): AsyncGenerator<UploadChunk> {
  let index = 0;
  for await (const chunk of chunks) {
    if (index === 0 && chunk.data.length >= (PROBES + 2) * probeBytes) {
      const parts = cutProbes(chunk.data, probeBytes);
      onProbes(parts.length - 1);
      let unreleased = parts.length;
      const release = () => {
        if (--unreleased === 0) chunk.release?.();
      };
      for (const data of parts) yield { index: index++, data, release: once(release) };
      continue;
    }
    if (index === 0) onProbes(0);
    yield { index: index++, data: chunk.data, release: chunk.release };
  }
}

/** The probes (each ending at the first record end after `probeBytes`) and the rest, as views of `data`. */
function cutProbes(data: Buffer, probeBytes: number): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let p = 0; p < PROBES; p++) {
    const end = recordEndAfter(data, start, start + probeBytes);
    if (end < 0 || end >= data.length) break;
    parts.push(data.subarray(start, end));
    start = end;
  }
  parts.push(data.subarray(start));
  return parts;
}

/** Index just after the first record end at or after `from`, reading quotes from `start` (a record start); -1 if none. */
function recordEndAfter(data: Buffer, start: number, from: number): number {
  const at = Math.max(start, from - 1);
  return firstRecordEnd(data, at, countRecords(data, start, at, false).inQuote).end;
}
