/** `file` source: streams one local file as one document, never reading it whole into memory. */
import { promises as fs } from 'node:fs';
import { basename, extname } from 'node:path';
import { defineSource } from '../plugin/contract';
import { dataPiece, docEnd, type Piece } from '../plugin/piece';
import { ByteSize, Config } from '../schema/config-blocks';
import { JsonType } from '../schema/json-type';
import { PipeError, ExitCode } from '../errors';
import { BufferPool, once } from '../util/buffer-pool';

const schema = Config({
  path: JsonType.String({ minLength: 1, description: 'The file to read, relative to the pipeline file.' }),
  readSize: ByteSize({ default: '1MiB', minimum: 4096, maximum: 64 * 1024 * 1024, description: 'Bytes read at a time.' }),
});

export const fileSource = defineSource({
  name: 'file',
  summary: 'Read a local file as a byte stream.',
  description: 'Streams the file in `readSize` pieces; a missing or unreadable path fails before any data moves.',
  config: schema,
  async estimateBytes(config, ctx) {
    return (await statReadable(ctx.resolvePath(config.path))).size;
  },
  async *open(config, ctx): AsyncGenerator<Piece> {
    const path = ctx.resolvePath(config.path);
    const stat = await statReadable(path);
    ctx.progress.expect({ bytes: stat.size });
    const doc = { id: path, name: basename(path, extname(path)) };
    const pool = new BufferPool(config.readSize);
    const handle = await fs.open(path, 'r');
    try {
      for (;;) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const buffer = pool.take();
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        ctx.progress.add({ bytes: bytesRead });
        yield dataPiece(
          doc,
          buffer.subarray(0, bytesRead),
          undefined,
          once(() => pool.give(buffer)),
        );
      }
    } finally {
      await handle.close();
    }
    yield docEnd(doc);
  },
});

async function statReadable(path: string) {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new PipeError(`${path} is not a file`, { code: 'NOT_A_FILE', exitCode: ExitCode.Failed });
    await fs.access(path, fs.constants.R_OK);
    return stat;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PipeError(`file not found: ${path}`, { code: 'FILE_NOT_FOUND', cause: error });
    if (code === 'EACCES') throw new PipeError(`file not readable (permission denied): ${path}`, { code: 'FILE_NOT_READABLE', cause: error });
    throw error;
  }
}
