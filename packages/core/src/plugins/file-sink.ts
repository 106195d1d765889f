/**
 * `file` sink: the whole stream into one file, atomically (temp file, then rename). The file is
 * committed only on the document's `end`; anything else (a failure, input that stops early, a
 * rename that fails) leaves the old file as it was and no temp file behind.
 */
import { defineSink } from '../plugin/contract';
import type { Doc } from '../plugin/piece';
import { AtomicFile } from '../fs/atomic-file';
import { fileNameProblem, lastSegment } from '../fs/file-name';
import { PipeError } from '../errors';
import { Config, Durable } from '../schema/config-blocks';
import { JsonType } from '../schema/json-type';

const schema = Config({
  path: JsonType.String({ minLength: 1, description: 'The file to write, relative to the pipeline file. Replaced only when the run succeeds.' }),
  durable: Durable(),
});

export const fileSink = defineSink({
  name: 'file',
  summary: 'Write the stream to one file, atomically.',
  description: 'Bytes go to a hidden temp file beside the target, renamed into place only when the whole document has arrived.',
  config: schema,
  checkConfig(config) {
    const problem = fileNameProblem(lastSegment(config.path));
    return problem ? [{ path: ['path'], message: `the path must end in a file name: ${problem}` }] : [];
  },
  targets(config, { resolvePath }) {
    const path = resolvePath(config.path);
    return [{ key: `path:${path}`, label: `file ${path}`, sharing: 'unique' }];
  },
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
        } else if (piece.type === 'end') {
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
