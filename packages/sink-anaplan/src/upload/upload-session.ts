/**
 * One chunked upload of one Anaplan import data source file:
 *
 *   POST files/{id} {"chunkCount":-1}     open-ended upload (the count is unknown while streaming)
 *   PUT  files/{id}/chunks/{n}            0-based, many at once, each retried whole on failure
 *   POST files/{id}/complete              only after every chunk succeeded
 *
 * A chunk that fails after its last retry fails the run with its number and the server's message,
 * and `complete` is never called, so Anaplan never sees a file with a hole in it.
 */
import { backPressureOf, formatByteSize, HttpStatusError, type ConcurrencyLimit, type ConcurrencyPermit, type Logger, type ProgressReporter } from '@pipe/core';
import { AnaplanChunkUploadError, AnaplanError } from '../errors';
import type { AnaplanApi } from '../http/anaplan-api';
import { describeFailure, retryDecision } from '../http/transport';
import type { AnaplanObject } from '../model/name-resolver';
import type { BodiesAhead } from './bodies-ahead';
import { sendBounded } from './bounded-uploads';
import type { ChunkBody, ChunkCompression } from './chunk-bodies';

export interface UploadSessionOptions {
  readonly api: AnaplanApi;
  /** `workspaces/{w}/models/{m}`. */
  readonly modelPath: string;
  readonly file: AnaplanObject;
  /** Chunk uploads in flight: fixed, or `concurrency: auto`. */
  readonly concurrency: ConcurrencyLimit;
  /** How the bodies were encoded: `compress: auto` also hears how their uploads went. */
  readonly compression: ChunkCompression;
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  readonly log: Logger;
  /** Retries per request, for the failure message. */
  readonly attempts: number;
}

export interface UploadSummary {
  readonly chunks: number;
  /** Bytes of data uploaded (before compression). */
  readonly bytes: number;
  /** Bytes on the wire (after compression). */
  readonly sentBytes: number;
  /** 429 answers to chunk uploads (each retried). */
  readonly http429: number;
}

interface FileAnswer {
  readonly file?: { readonly id?: string | number; readonly chunkCount?: number };
}

export class AnaplanUploadSession {
  private readonly filePath: string;
  private chunks = 0;
  private bytes = 0;
  private sentBytes = 0;
  private http429 = 0;

  constructor(private readonly options: UploadSessionOptions) {
    this.filePath = `${options.modelPath}/files/${options.file.id}`;
  }

  /** Start the upload; refuses to go on if Anaplan answers with another file (it creates one for unknown ids). */
  private async begin(): Promise<void> {
    const answer = await this.options.api.json<FileAnswer>('POST', this.filePath, { chunkCount: -1 });
    const id = answer.file?.id;
    if (id !== undefined && String(id) !== this.options.file.id) {
      throw new AnaplanError(`Anaplan opened file ${String(id)} instead of ${this.options.file.id}; the import would not see this data`);
    }
  }

  /**
   * Open the upload, then upload every body, as many at a time as the concurrency limit allows,
   * reading the next one only when a slot is free. The first body is on its way meanwhile (with
   * gzip or auto, chunks are encoded ahead of the uploads, as many at once as there are CPU
   * threads; a 10 MB chunk takes about 0.1 s at gzip level 6; auto's gzipped probe once the
   * opening request is sent). If the upload cannot be opened, nothing is sent and the bodies are
   * given back.
   */
  async uploadAll(bodies: BodiesAhead): Promise<UploadSummary> {
    const { compression, concurrency } = this.options;
    const settled = (body: ChunkBody) => {
      body.release?.();
      if (typeof compression === 'object') compression.settled(body.index);
    };
    const opening = this.begin();
    // Once the request is on its way (after the turns it takes to be written): auto compresses its
    // gzipped probe on this thread, which would otherwise hold the request back.
    if (typeof compression === 'object') setImmediate(() => compression.uploadOpening());
    try {
      await opening;
    } catch (error) {
      await bodies.discard(settled);
      throw error;
    }
    await sendBounded(bodies.take(), (body, signal, permit) => this.sendChunk(body, signal, permit).finally(() => settled(body)), {
      limit: concurrency,
      signal: this.options.signal,
    });
    return this.summary();
  }

  /** What was sent so far. */
  summary(): UploadSummary {
    return { chunks: this.chunks, bytes: this.bytes, sentBytes: this.sentBytes, http429: this.http429 };
  }

  /** Mark the upload complete; only called when every chunk succeeded. */
  async complete(): Promise<number | undefined> {
    const { file } = this.options;
    const answer = await this.options.api.json<FileAnswer>('POST', `${this.filePath}/complete`, { id: file.id, name: file.name, chunkCount: -1 });
    return answer.file?.chunkCount;
  }

  private async sendChunk({ index, rawBytes, body, contentType, encoding }: ChunkBody, signal: AbortSignal, permit: ConcurrencyPermit): Promise<void> {
    const { compression } = this.options;
    const timing = typeof compression === 'object' ? compression.uploadStarting() : undefined;
    const sawFailure = (error: unknown) => {
      if (error instanceof HttpStatusError && error.status === 429) this.http429++;
      const backPressure = backPressureOf(error);
      if (backPressure && !signal.aborted) permit.backPressure(backPressure);
    };
    try {
      await this.options.api.send({
        method: 'PUT',
        path: `${this.filePath}/chunks/${index}`,
        body,
        contentType,
        signal,
        onRetry: ({ error }) => {
          // A retried upload is not link time, and while it waits it shares the link with nothing.
          timing?.abandon();
          sawFailure(error);
        },
        beforeResend: (resendSignal) => permit.resend(resendSignal),
      });
    } catch (error) {
      timing?.abandon();
      sawFailure(error);
      if (signal.aborted && !(error instanceof HttpStatusError)) throw error;
      const reason = describeFailure(error);
      const tries = retryDecision(error).retry ? `failed after ${this.options.attempts} attempts` : 'was refused';
      throw new AnaplanChunkUploadError(
        index,
        `chunk ${index} of file ${this.options.file.id} (${this.options.file.name}) ${tries}: ${reason}; ` + 'the upload was not marked complete',
        error,
      );
    }
    permit.succeeded(body.length);
    timing?.finish(encoding, rawBytes);
    this.chunks++;
    this.bytes += rawBytes;
    this.sentBytes += body.length;
    this.options.progress.add({ bytes: rawBytes, chunks: 1 });
    this.options.log.debug(
      `chunk ${index} uploaded (${formatByteSize(rawBytes)}${encoding === 'none' ? '' : `, ${formatByteSize(body.length)} as ${encoding}`})`,
    );
  }
}
