/**
 * gzip for chunk bodies. Each chunk is one complete gzip member (Anaplan decompresses chunks one by
 * one). zlib's async API runs on libuv's thread pool, so several chunks compress at once while the
 * main thread keeps reading and sending.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export const GZIP_CONTENT_TYPE = 'application/x-gzip';
export const PLAIN_CONTENT_TYPE = 'application/octet-stream';

export function gzipChunk(data: Buffer, level: number): Promise<Buffer> {
  return gzipAsync(data, { level });
}
