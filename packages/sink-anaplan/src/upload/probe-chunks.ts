/**
 * For `compress: auto`: the first chunk is cut into two small probe chunks and the rest, so the
 * link can be measured both ways (sent as it is, and gzipped) for the price of a small chunk
 * instead of a whole one; a later chunk is cut the same way into a small trial chunk and the rest
 * when auto wants to measure an encoding again. The cuts fall on CSV record boundaries like every
 * other chunk's, and chunks are numbered anew (Anaplan only needs them consecutive).
 */
import { countRecords, firstRecordEnd, once } from '@pipe/core';
import type { UploadChunk } from './document-chunks';

export const PROBE_CHUNK_BYTES = 1_000_000;
const PROBES = 2;

/** Whether a later chunk of `bytes` is large enough to be cut into a trial chunk and the rest. */
export function cutForTrial(bytes: number, probeBytes = PROBE_CHUNK_BYTES): boolean {
  return bytes >= 3 * probeBytes;
}

export interface ProbePlan {
  /** Hears how many probe chunks lead (0 when the first chunk was not cut). */
  onProbes(count: number): void;
  /** Whether chunk `index`, holding `data`, should go as a small trial chunk and the rest; asked just before it is taken. */
  trialAt?(index: number, data: Buffer): boolean;
}

/** `chunks` with the first one cut into probe chunks and the rest, and later ones cut as `plan` asks, when large enough. */
export async function* withProbeChunks(chunks: AsyncIterable<UploadChunk>, plan: ProbePlan, probeBytes = PROBE_CHUNK_BYTES): AsyncGenerator<UploadChunk> {
  let index = 0;
  for await (const chunk of chunks) {
    const first = index === 0;
    const parts =
      first && chunk.data.length >= (PROBES + 2) * probeBytes
        ? cutProbes(chunk.data, probeBytes, PROBES)
        : !first && cutForTrial(chunk.data.length, probeBytes) && plan.trialAt?.(index, chunk.data)
          ? cutProbes(chunk.data, probeBytes, 1)
          : [chunk.data];
    if (first) plan.onProbes(parts.length - 1);
    if (parts.length === 1) {
      yield { index: index++, data: chunk.data, release: chunk.release };
      continue;
    }
    let unreleased = parts.length;
    const release = () => {
      if (--unreleased === 0) chunk.release?.();
    };
    let handedOut = 0;
    try {
      for (const data of parts) {
        handedOut++;
        yield { index: index++, data, release: once(release) };
      }
    } finally {
      // Stopped between the parts: those never handed out are given back here, or the chunk never would be.
      for (; handedOut < parts.length; handedOut++) release();
    }
  }
}

/** `count` probes (each ending at the first record end after `probeBytes`) and the rest, as views of `data`. */
function cutProbes(data: Buffer, probeBytes: number, count: number): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let p = 0; p < count; p++) {
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
