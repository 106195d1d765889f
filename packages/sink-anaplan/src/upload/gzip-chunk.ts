/**
 * gzip for chunk bodies. Each chunk is one complete gzip member (Anaplan decompresses chunks one by
 * one). zlib runs on libuv's thread pool, so chunks compress off the main thread, several at once.
 *
 * The whole member is written into one output buffer, instead of zlib's default 16 KB pieces
 * joined by a copy at the end: no second copy, and no pile of small buffers for the garbage
 * collector to find late. Only the pages zlib writes become resident, so a 10 MB chunk that
 * compresses to 1.3 MB costs 1.3 MB of memory, not 10.
 *
 * The buffer is made larger than 32 MiB even for small chunks. glibc's malloc gives allocations
 * that large their own mapping, unmapped when the body is collected; smaller ones (after the first
 * is freed, anything up to 32 MiB) come from the process heap, where a freed body's pages are
 * handed to other allocations and stay resident. The unwritten part is address space, never
 * memory. Measured on the 500 MB benchmark, gzip on, concurrency 1: peak RSS 102 MB against 106 MB
 * with buffers of deflate's bound (bench/anaplan.js).
 */
import { createGzip, gzipSync } from 'node:zlib';

export const GZIP_CONTENT_TYPE = 'application/x-gzip';
export const PLAIN_CONTENT_TYPE = 'application/octet-stream';

/** Largest gzip member for `n` input bytes: deflate's stored-block bound plus header and trailer. */
export function gzipBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13 + 18 + 64;
}

/** Above glibc's largest dynamic mmap threshold (32 MiB on 64-bit); see the note at the top. */
const OWN_MAPPING_BYTES = 33 * 1024 * 1024;

export function gzipChunk(data: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level, chunkSize: Math.max(OWN_MAPPING_BYTES, gzipBound(data.length)) });
    const parts: Buffer[] = [];
    gzip.on('data', (part: Buffer) => parts.push(part));
    gzip.once('error', reject);
    gzip.once('end', () => resolve(joined(parts)));
    gzip.end(data);
  });
}

/**
 * The same member, compressed on this thread. For a small chunk that everything else waits on (auto's
 * gzipped probe): a trip through the thread pool ends in a callback on the event loop, which at the
 * start of an upload is busy reading the input and answering the upload's opening; a 1 MB probe at
 * level 1 took 33-38 ms that way and 6-9 ms here.
 */
export function gzipChunkHere(data: Buffer, level: number): Buffer {
  return gzipSync(data, { level });
}

/** zlib hands the member out in a few consecutive slices of its output buffer: one view over them. */
function joined(parts: Buffer[]): Buffer {
  const first = parts[0];
  if (!first) return Buffer.alloc(0);
  let end = first.byteOffset;
  for (const part of parts) {
    if (part.buffer !== first.buffer || part.byteOffset !== end) return Buffer.concat(parts);
    end += part.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
