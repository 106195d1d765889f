/**
 * The sink's input as numbered chunks. Pieces already cut by `chunk-lines` pass through as they
 * are; a raw byte stream is cut here with core's RecordChunker, so a chunk never ends inside a CSV
 * record whichever way the pipeline is written. Pulling is lazy: a piece is read only when the
 * uploader asks for the next chunk, which is what bounds memory.
 *
 * One Anaplan file holds one document: a second document is an error, a `failed` piece rethrows
 * its error (so the upload is never completed), and input that stops before `end` is an error.
 */
import { BufferPool, once, PipeError, RecordChunker, type Doc, type Piece } from '@pipe/core';

export interface UploadChunk {
  /** 0-based chunk number in the file. */
  readonly index: number;
  readonly data: Buffer;
  /** Give the bytes back to their producer once they are no longer needed (sent, or gzipped). */
  readonly release?: () => void;
}

export class DocumentChunks implements AsyncIterable<UploadChunk> {
  /** The document being uploaded, once its first piece arrived. */
  doc: Doc | undefined;
  /** Rows in the document, when its producer said. */
  rows: number | undefined;
  /** Bytes read so far. */
  bytes = 0;
  /** Chunks handed out so far. */
  chunks = 0;
  private mode: 'pre-cut' | 'stream' | undefined;

  constructor(
    private readonly input: AsyncIterable<Piece>,
    private readonly chunkSize: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<UploadChunk> {
    const chunker = new RecordChunker({ chunkSize: this.chunkSize, pool: new BufferPool(this.chunkSize) });
    let ended = false;
    for await (const piece of this.input) {
      this.checkDocument(piece.doc);
      if (ended) throw new PipeError(`document "${piece.doc.name}" sent data after its end`, { code: 'INVALID_INPUT' });
      if (piece.type === 'failed') throw piece.error;
      if (piece.type === 'end') {
        ended = true;
        this.rows = piece.rows;
        for (const data of chunker.end())
          yield this.next(
            data,
            once(() => chunker.recycle(data)),
          );
        continue;
      }
      this.bytes += piece.data.length;
      const mode = piece.chunk === undefined ? 'stream' : 'pre-cut';
      if (this.mode && this.mode !== mode) {
        throw new PipeError('the input mixes pre-cut chunks and raw bytes; use chunk-lines for the whole stream or not at all', { code: 'INVALID_INPUT' });
      }
      this.mode = mode;
      if (mode === 'pre-cut') {
        if (piece.data.length > 0) yield this.next(piece.data, piece.release);
      } else {
        const cut = chunker.push(piece.data, piece.release);
        for (const data of cut)
          yield this.next(
            data,
            once(() => chunker.recycle(data)),
          );
      }
    }
    if (!this.doc) throw new PipeError('the input held no document; nothing was uploaded', { code: 'EMPTY_INPUT' });
    if (!ended)
      throw new PipeError(`the input ended before document "${this.doc.name}" was complete; the upload was not marked complete`, { code: 'INCOMPLETE_INPUT' });
    if (this.chunks === 0) throw new PipeError(`document "${this.doc.name}" is empty; nothing was uploaded`, { code: 'EMPTY_INPUT' });
  }

  private next(data: Buffer, release?: () => void): UploadChunk {
    return { index: this.chunks++, data, release };
  }

  private checkDocument(doc: Doc): void {
    if (!this.doc) {
      this.doc = doc;
      return;
    }
    if (doc.id !== this.doc.id) {
      throw new PipeError(
        `the anaplan sink uploads one document per pipeline, but the source produced several ("${this.doc.name}", "${doc.name}"); ` +
          'write one pipeline per report, or merge them upstream',
        { code: 'MULTIPLE_DOCUMENTS' },
      );
    }
  }
}
