/**
 * A custom transform in one file: keep only some columns of a CSV stream, by header name.
 *
 * Use it from a pipeline file by path:
 *
 *   transforms:
 *     - use: ./plugins/csv-select-columns.ts
 *       with: { columns: [Id, Amount] }
 *
 * It parses with csv-parse and writes RFC 4180 CSV back (fields quoted when they need it). Each
 * document keeps its own parser, so it also works on multi-report sources.
 */
import { parse, type Parser } from 'csv-parse';
import { Config, dataPiece, defineTransform, PipeError, Type, type Piece } from '@pipe/core';

const schema = Config({
  columns: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Header names to keep, in output order.' }),
  delimiter: Type.String({ minLength: 1, maxLength: 1, default: ',', description: 'Field separator of the input and output.' }),
});

function quote(value: string, delimiter: string): string {
  return /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

export default defineTransform({
  name: 'csv-select-columns',
  summary: 'Keep only the named columns of a CSV stream.',
  config: schema,
  create(config, ctx) {
    interface DocState {
      parser: Parser;
      out: string[];
      picks?: number[];
      error?: Error;
    }
    const states = new Map<string, DocState>();
    const stateFor = (id: string): DocState => {
      let state = states.get(id);
      if (state) return state;
      const created: DocState = { out: [], parser: undefined as unknown as Parser };
      // on_record runs synchronously inside write(), and returning null keeps the parser's own
      // readable side empty, so each piece's rows are ready as soon as write() returns.
      created.parser = parse({
        delimiter: config.delimiter,
        bom: true,
        relax_column_count: true,
        on_record: (record: string[]) => {
          if (!created.picks) {
            const missing = config.columns.filter((c) => !record.includes(c));
            if (missing.length) throw new PipeError(`columns not in the header: ${missing.join(', ')} (header: ${record.join(', ')})`);
            created.picks = config.columns.map((c) => record.indexOf(c));
          }
          created.out.push(created.picks.map((i) => quote(record[i] ?? '', config.delimiter)).join(config.delimiter) + '\n');
          return null;
        },
      });
      created.parser.on('error', (error) => (created.error = error));
      states.set(id, (state = created));
      return state;
    };
    const take = (piece: Piece, state: DocState): Piece[] => {
      if (state.error) throw state.error;
      const text = state.out.join('');
      state.out.length = 0;
      ctx.progress.add({ bytes: Buffer.byteLength(text) });
      return text ? [dataPiece(piece.doc, Buffer.from(text))] : [];
    };
    return {
      async *push(piece) {
        const state = stateFor(piece.doc.id);
        if (piece.type === 'data') {
          state.parser.write(piece.data);
          yield* take(piece, state);
          return;
        }
        if (piece.type === 'end') {
          await new Promise<void>((resolve) => state.parser.end(resolve));
          yield* take(piece, state);
        }
        states.delete(piece.doc.id);
        yield piece;
      },
    };
  },
});
