/**
 * What flows through a pipeline: pieces of documents.
 *
 * A document is one logical byte stream: a file, one Salesforce report, one export. A source may
 * emit several documents (many reports at once), even interleaved; every document ends with
 * exactly one `end` or `failed` piece. A sink finalises a document's output only on its `end`,
 * so a document cut short never leaves output that looks complete.
 */

/** Identifies one document in a pipeline run. `id` is unique within the run; `name` is for humans and file names. */
export interface Doc {
  readonly id: string;
  readonly name: string;
}

/** Bytes of a document, in order. */
export interface DataPiece {
  readonly type: 'data';
  readonly doc: Doc;
  readonly data: Buffer;
  /**
   * Present when `data` is a whole, record-aligned chunk (cut by `chunk-lines` or a source that
   * cuts its own): the 0-based chunk number within the document. Absent for a plain byte stream.
   */
  readonly chunk?: number;
  /**
   * Optional. Call once you no longer need `data` (it is written, sent or copied): the producer may
   * then reuse its memory, which keeps memory flat on large inputs. Never touch `data` after
   * calling it. Not calling it is always safe; calling it twice does nothing.
   */
  readonly release?: () => void;
}

/** The document is complete: every byte has been sent. */
export interface DocEnd {
  readonly type: 'end';
  readonly doc: Doc;
  /** Data rows in the document, when the producer knows them. */
  readonly rows?: number;
  /**
   * Time the producer spent on the document, from its first request to its end, when it measured
   * it (a report's time includes the server's wait before the first byte). Without it, the engine
   * times the document from its first piece.
   */
  readonly durationMs?: number;
}

/** The document could not be produced; its partial output must be discarded. Other documents go on. */
export interface DocFailed {
  readonly type: 'failed';
  readonly doc: Doc;
  readonly error: Error;
}

export type Piece = DataPiece | DocEnd | DocFailed;

export const dataPiece = (doc: Doc, data: Buffer, chunk?: number, release?: () => void): DataPiece => {
  const piece: { -readonly [K in keyof DataPiece]: DataPiece[K] } = { type: 'data', doc, data };
  if (chunk !== undefined) piece.chunk = chunk;
  if (release) piece.release = release;
  return piece;
};
export const docEnd = (doc: Doc, rows?: number, durationMs?: number): DocEnd => {
  const piece: { -readonly [K in keyof DocEnd]: DocEnd[K] } = { type: 'end', doc };
  if (rows !== undefined) piece.rows = rows;
  if (durationMs !== undefined) piece.durationMs = durationMs;
  return piece;
};
export const docFailed = (doc: Doc, error: Error): DocFailed => ({ type: 'failed', doc, error });
