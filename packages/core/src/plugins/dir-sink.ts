/**
 * `dir` sink: one file per chunk (or per document when the input is not chunked), named by a
 * template. A document's files are staged under temp names and committed as a group when the
 * document ends: either all of them are in place, or none is, so a document that fails, or whose
 * files cannot be renamed into place, leaves none of its files and no temp file behind. Files of an
 * earlier run under the same names are replaced only when the whole group commits, and are put
 * back otherwise, never leaving a mix of old and new chunks. Files this run does not write (a
 * chunk number it does not reach) are left as they are.
 */
import { join } from 'node:path';
import { AtomicFile } from '../fs/atomic-file';
import { fileNameProblem } from '../fs/file-name';
import { PipeError } from '../errors';
import { defineSink, type DocumentResult } from '../plugin/contract';
import type { DataPiece, Doc } from '../plugin/piece';
import { Config, Durable } from '../schema/config-blocks';
import { JsonType } from '../schema/json-type';

const schema = Config({
  path: JsonType.String({ minLength: 1, description: 'The directory, relative to the pipeline file; created if missing.' }),
  name: JsonType.String({
    minLength: 1,
    default: '{name}-{index}.csv',
    pattern: '^[^/\\\\]+$',
    description: 'File name template: {name} the document name (file or report), {id} its id, {index} the chunk number (0-based).',
  }),
  durable: Durable(),
});

interface Staged {
  readonly files: AtomicFile[];
  current?: AtomicFile;
}

export const dirSink = defineSink({
  name: 'dir',
  summary: 'Write each chunk or document to its own file in a directory.',
  description: 'Files appear only when their document is complete; a failed document leaves no files.',
  config: schema,
  checkConfig(config) {
    const problem = fileNameProblem(render(config.name, { id: 'r1', name: 'report' }, 0));
    return problem ? [{ path: ['name'], message: `the name template must render a file name inside the folder: ${problem}` }] : [];
  },
  targets(config, { resolvePath }) {
    const dir = resolvePath(config.path);
    return [{ key: `path:${dir}`, label: `folder ${dir}`, sharing: 'unique' }];
  },
  async consume(input, config, ctx) {
    const dir = ctx.resolvePath(config.path);
    const staged = new Map<string, Staged>();
    const claimed = new Map<string, string>();
    const documents: DocumentResult[] = [];
    const fileFor = async (piece: DataPiece): Promise<AtomicFile> => {
      const name = render(config.name, piece.doc, piece.chunk ?? 0);
      const problem = fileNameProblem(name);
      if (problem) {
        throw new PipeError(
          `the dir sink's name template "${config.name}" gives document "${piece.doc.name}" a name that is not a file inside ${dir}: ${problem}; ` +
            'add fixed text to the template (e.g. "{name}.csv")',
          { code: 'UNSAFE_FILE_NAME' },
        );
      }
      const owner = claimed.get(name);
      if (owner !== undefined && (owner !== piece.doc.id || piece.chunk !== undefined)) {
        throw new PipeError(
          `two outputs map to the same file "${name}"; add {index} (for chunks) or {name}/{id} (for several documents) to the dir sink's name template`,
          { code: 'NAME_COLLISION' },
        );
      }
      claimed.set(name, piece.doc.id);
      return AtomicFile.create(join(dir, name));
    };
    try {
      for await (const piece of input) {
        let entry = staged.get(piece.doc.id);
        if (!entry) staged.set(piece.doc.id, (entry = { files: [] }));
        if (piece.type === 'data') {
          if (piece.chunk !== undefined || !entry.current) {
            entry.current = await fileFor(piece);
            entry.files.push(entry.current);
          }
          await entry.current.write(piece.data);
          ctx.progress.add({ bytes: piece.data.length });
          piece.release?.();
        } else if (piece.type === 'end') {
          if (entry.files.length === 0) entry.files.push(await fileFor({ type: 'data', doc: piece.doc, data: Buffer.alloc(0) }));
          staged.delete(piece.doc.id);
          await AtomicFile.commitAll(entry.files, { durable: config.durable });
          documents.push({ doc: piece.doc, outputs: entry.files.map((f) => f.path), rows: piece.rows });
        } else {
          await Promise.all(entry.files.map((f) => f.discard()));
          staged.delete(piece.doc.id);
          ctx.log.warn(`document "${piece.doc.name}" failed; its files were not written`, { error: piece.error.message });
        }
      }
      if (staged.size > 0) {
        const names = [...staged.keys()].join(', ');
        throw new PipeError(`the input ended before these documents were complete: ${names}; their files were not written`, { code: 'INCOMPLETE_INPUT' });
      }
      return {
        outputs: summarizeFiles(
          dir,
          documents.flatMap((d) => d.outputs ?? []),
        ),
        documents,
      };
    } finally {
      for (const entry of staged.values()) await Promise.all(entry.files.map((f) => f.discard()));
    }
  },
});

function render(template: string, doc: Doc, index: number): string {
  const safe = (s: string) => s.replace(/[/\\\0]/g, '_');
  return template.replace(/\{(name|id|index)\}/g, (_, key: string) => (key === 'index' ? String(index) : safe(key === 'name' ? doc.name : doc.id)));
}

/** One line for a handful of files; a count and the first and last name for many. */
function summarizeFiles(dir: string, paths: readonly string[]): string[] {
  if (paths.length <= 3) return [...paths];
  const name = (p: string) => p.slice(dir.length + 1);
  return [`${dir}: ${paths.length} files (${name(paths[0])} ... ${name(paths[paths.length - 1])})`];
}
