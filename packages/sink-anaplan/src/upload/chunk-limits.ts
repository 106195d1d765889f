/**
 * Anaplan accepts at most 1000 chunks per file and 50 MB (uncompressed) per chunk. A run that
 * cannot fit should fail before the first byte leaves, when the size is known, or as soon as the
 * limit is crossed otherwise, always saying which chunk size would work.
 */
import { formatByteSize, type PipelineShape } from '@pipe/core';
import { MAX_CHUNKS, MAX_CHUNK_BYTES } from '../config';
import { AnaplanLimitError } from '../errors';

export interface ChunkPlan {
  /** Chunk size the data will be cut at (by chunk-lines upstream, or by the sink). */
  readonly chunkSize: number;
  /** At least this many chunks, when the input size is known (record-aligned chunks can only be more). */
  readonly minimumChunks?: number;
}

/** The smallest chunk size that would fit `bytes` in 1000 chunks, rounded up to a whole MB. */
export function chunkSizeFor(bytes: number): number {
  return Math.ceil(bytes / MAX_CHUNKS / 1_000_000) * 1_000_000;
}

/** Check what is known before data flows; throws when the run cannot fit Anaplan's limits. */
export function planChunks(shape: PipelineShape, ownChunkSize: number): ChunkPlan {
  const chunkSize = shape.chunkSize ?? ownChunkSize;
  if (chunkSize > MAX_CHUNK_BYTES) {
    throw new AnaplanLimitError(
      `chunks of ${formatByteSize(chunkSize)} are above Anaplan's limit of ${formatByteSize(MAX_CHUNK_BYTES)} per chunk; set chunkSize to 50MB or less`,
    );
  }
  if (shape.expectedBytes === undefined) return { chunkSize };
  const minimumChunks = Math.max(1, Math.ceil(shape.expectedBytes / chunkSize));
  if (minimumChunks > MAX_CHUNKS) throw tooManyChunks(chunkSize, shape.expectedBytes);
  return { chunkSize, minimumChunks };
}

/** Check one chunk as it arrives (0-based `index`). */
export function checkChunk(index: number, bytes: number, chunkSize: number): void {
  if (index >= MAX_CHUNKS) throw tooManyChunks(chunkSize);
  if (bytes > MAX_CHUNK_BYTES) {
    throw new AnaplanLimitError(
      `chunk ${index} holds ${formatByteSize(bytes)}, above Anaplan's limit of ${formatByteSize(MAX_CHUNK_BYTES)} per chunk ` +
        '(a single CSV record longer than the chunk size?); nothing was marked complete',
    );
  }
}

function tooManyChunks(chunkSize: number, expectedBytes?: number): AnaplanLimitError {
  const size = formatByteSize(chunkSize);
  if (expectedBytes !== undefined) {
    const needed = chunkSizeFor(expectedBytes);
    const advice =
      needed <= MAX_CHUNK_BYTES
        ? `set chunkSize to at least ${needed / 1_000_000}MB`
        : `even 50MB chunks cannot hold ${formatByteSize(expectedBytes)}; split the data into several files`;
    return new AnaplanLimitError(
      `the input (${formatByteSize(expectedBytes)}) needs more than ${MAX_CHUNKS} chunks of ${size}, Anaplan's limit per file; ${advice}. Nothing was sent`,
    );
  }
  const advice =
    chunkSize < MAX_CHUNK_BYTES
      ? `set a larger chunkSize (now ${size}, at most 50MB), e.g. ${Math.min(50, Math.ceil((chunkSize * 2) / 1_000_000))}MB`
      : 'chunks are already 50MB, the largest Anaplan accepts; split the data into several files';
  return new AnaplanLimitError(
    `the input needs more than ${MAX_CHUNKS} chunks of ${size}, Anaplan's limit per file; ${advice}. The upload was not marked complete`,
  );
}
