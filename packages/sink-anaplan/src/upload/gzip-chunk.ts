/**
 * gzip for chunk bodies. Each chunk is one complete gzip member (Anaplan decompresses chunks one by
 * one). zlib runs on libuv's thread pool, so chunks compress off the main thread, several at once.
 *
 * The whole member is written into one output buffer sized for the worst case (deflate's bound),
 * instead of zlib's default 16 KB pieces joined by a copy at the end: no second copy, and no pile
 * of small buffers for the garbage collector to find late. Only the pages zlib writes become
 * resident, so a 10 MB chunk that compresses to 1.3 MB costs 1.3 MB of memory, not 10.
 */
import { createGzip } from 'node:zlib';

export const GZIP_CONTENT_TYPE = 'application/x-gzip';
export const PLAIN_CONTENT_TYPE = 'application/octet-stream';

/** Largest gzip member for `n` input bytes: deflate's stored-block bound plus header and trailer. */
export function gzipBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13 + 18 + 64;
}

export function gzipChunk(data: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level, chunkSize: Math.max(64 * 1024, gzipBound(data.length)) });
    const parts: Buffer[] = [];
    gzip.on('data', (part: Buffer) => parts.push(part));
    gzip.once('error', reject);
    gzip.once('end', () => resolve(joined(parts)));
    gzip.end(data);
  });
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
