/** `chunk-lines` transform: record-aligned chunks of about `chunkSize`, for chunked uploads and split files. */
import { RecordChunker } from '../chunking/record-chunker';
import { BufferPool, once } from '../util/buffer-pool';
import { defineTransform } from '../plugin/contract';
import { dataPiece, type Piece } from '../plugin/piece';
import { ByteSize, Config } from '../schema/config-blocks';
import { JsonType } from '../schema/json-type';

const MB = 1_000_000;

const schema = Config({
  chunkSize: ByteSize({
    default: '10MB',
    minimum: 1 * MB,
    maximum: 50 * MB,
    description: 'Target chunk size, 1MB to 50MB. A record longer than this makes one larger chunk.',
  }),
  header: JsonType.Union([JsonType.Literal('first'), JsonType.Literal('repeat')], {
    default: 'first',
    description: '`first`: the header stays only in the first chunk (the chunks joined are the input). `repeat`: every chunk starts with the header.',
  }),
});

export const chunkLines = defineTransform({
  name: 'chunk-lines',
  summary: 'Cut a CSV byte stream into chunks that end at record boundaries.',
  description:
    'Understands CSV quoting: a quoted field may hold LF, CRLF and escaped quotes, and a cut never falls inside one. ' +
    'Bytes are never re-encoded (BOM, CRLF and non-UTF-8 bytes kept); no chunk is empty.',
  config: schema,
  chunkSize: (config) => config.chunkSize,
  create(config, ctx) {
    // One chunker per document: a multi-report source interleaves documents.
    const chunkers = new Map<string, RecordChunker>();
    // Chunk buffers come back through DataPiece.release (sinks call it once a chunk is written).
    const pool = new BufferPool(config.chunkSize, 4);
    const chunker = (id: string) => {
      let c = chunkers.get(id);
      if (!c) chunkers.set(id, (c = new RecordChunker({ chunkSize: config.chunkSize, header: config.header, pool })));
      return c;
    };
    // Chunks just cut are the last `chunks.length` of the chunker's count.
    function* numbered(piece: Piece, c: RecordChunker, chunks: Buffer[]): Iterable<Piece> {
      const first = c.chunkCount - chunks.length;
      for (let i = 0; i < chunks.length; i++) {
        ctx.progress.add({ chunks: 1 });
        const chunk = chunks[i];
        yield dataPiece(
          piece.doc,
          chunk,
          first + i,
          once(() => c.recycle(chunk)),
        );
      }
    }
    return {
      *push(piece: Piece): Iterable<Piece> {
        if (piece.type === 'data') {
          const c = chunker(piece.doc.id);
          // The chunker gives the piece back once it has copied the bytes it still needs.
          const chunks = c.push(piece.data, piece.release);
          yield* numbered(piece, c, chunks);
          return;
        }
        const c = chunkers.get(piece.doc.id);
        chunkers.delete(piece.doc.id);
        if (piece.type === 'end' && c) yield* numbered(piece, c, c.end());
        yield piece;
      },
    };
  },
});
