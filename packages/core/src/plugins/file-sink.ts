/** `file` sink: the whole stream into one file, atomically (temp file, then rename). */
import { defineSink } from '../plugin/contract';
import type { Doc } from '../plugin/piece';
import { AtomicFile } from '../fs/atomic-file';
import { PipeError } from '../errors';
import { Config, Durable, Type } from '../schema/types';

const schema = Config({
  path: Type.String({ minLength: 1, description: 'The file to write, relative to the pipeline file. Replaced only when the run succeeds.' }),
  durable: Durable(),
});

export const fileSink = defineSink({
  name: 'file',
  summary: 'Write the stream to one file, atomically.',
  description: 'Bytes go to a hidden temp file beside the target, renamed into place only when the whole document has arrived.',
  config: schema,
  async consume(input, config, ctx) {
    const path = ctx.resolvePath(config.path);
    let file: AtomicFile | undefined;
    let doc: Doc | undefined;
    let complete = false;
    try {
      for await (const piece of input) {
        if (doc && piece.doc.id !== doc.id) {
          throw new PipeError(
            `the file sink writes one document, but the source produced several ("${doc.name}", "${piece.doc.name}"); use the dir sink to write one file per document`,
            { code: 'MULTIPLE_DOCUMENTS' },
          );
        }
        doc = piece.doc;
        file ??= await AtomicFile.create(path);
        if (piece.type === 'data') {
          await file.write(piece.data);
          ctx.progress.add({ bytes: piece.data.length });
          piece.release?.();
        } else if (piece.type === 'failed') {
          throw piece.error;
        } else {
          complete = true;
        }
      }
      if (!file || !complete) throw new PipeError('the input ended before its document was complete; nothing was written', { code: 'INCOMPLETE_INPUT' });
      await file.commit({ durable: config.durable });
      return { outputs: [path], documents: doc ? [{ doc, outputs: [path] }] : [] };
    } finally {
      await file?.discard();
    }
  },
});
