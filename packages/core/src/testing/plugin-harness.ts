/**
 * Run one plugin by itself, against in-memory input, and collect what it produces: the harness
 * pipe's own plugins are tested with, exported for plugin authors.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { TSchema } from '@sinclair/typebox';
import { PluginProgress, type ProgressCounts } from '../engine/progress';
import { InProcessTargetLocks, type TargetLocks } from '../locks/target-locks';
import { Redactor } from '../log/redactor';
import { StreamLogger, type LogLevel } from '../log/stream-logger';
import type { PluginContext, PipelineShape } from '../plugin/context';
import type { SinkPlugin, SinkResult, SourcePlugin, TransformPlugin } from '../plugin/contract';
import { dataPiece, docEnd, type Doc, type Piece } from '../plugin/piece';
import { validatePluginConfig } from '../schema/validate-plugin-config';

export interface TestContextOptions {
  cwd?: string;
  runDir?: string;
  signal?: AbortSignal;
  shape?: PipelineShape;
  logLevel?: LogLevel;
  plugin?: string;
  /** Share one with other test contexts to see exclusive targets taken in turn. */
  locks?: TargetLocks;
  pipeline?: string;
}

export interface TestContext extends PluginContext {
  /** Every log line written, secrets already redacted, for assertions. */
  readonly logLines: string[];
  readonly progressCounts: ProgressCounts;
  readonly redactor: Redactor;
}

export function createTestContext(options: TestContextOptions = {}): TestContext {
  const cwd = options.cwd ?? process.cwd();
  const logLines: string[] = [];
  const redactor = new Redactor();
  const progress = new PluginProgress(options.plugin ?? 'plugin');
  const locks = options.locks ?? new InProcessTargetLocks();
  const pipeline = options.pipeline ?? 'test';
  const signal = options.signal ?? new AbortController().signal;
  return {
    signal,
    log: new StreamLogger({ level: options.logLevel ?? 'debug', secrets: redactor, write: (l) => logLines.push(l) }),
    progress,
    secrets: redactor,
    redactor,
    cwd,
    runDir: options.runDir ?? mkdtempSync(join(tmpdir(), 'pipe-test-run-')),
    runId: 'test-run',
    pipeline,
    shape: options.shape ?? {},
    resolvePath: (p) => resolve(cwd, p),
    exclusive: (target) => locks.acquire([target.key], { owner: `pipeline "${pipeline}"`, signal }),
    logLines,
    progressCounts: progress.counts,
  };
}

/** Pieces for one document holding `data`, split into `pieceSize`-byte data pieces, then its end. */
export function documentPieces(data: Buffer | string, doc: Doc = { id: 'doc', name: 'doc' }, pieceSize = 64 * 1024): Piece[] {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const pieces: Piece[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(dataPiece(doc, bytes.subarray(i, i + pieceSize)));
  pieces.push(docEnd(doc));
  return pieces;
}

export async function collect<T>(iterable: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The bytes of every data piece, joined. */
export function joinData(pieces: readonly Piece[]): Buffer {
  return Buffer.concat(pieces.flatMap((p) => (p.type === 'data' ? [p.data] : [])));
}

export async function runSource<S extends TSchema>(plugin: SourcePlugin<S>, rawConfig: unknown, ctx: PluginContext = createTestContext()): Promise<Piece[]> {
  const config = validatePluginConfig<S>(plugin, rawConfig);
  const produced = plugin.open(config, ctx);
  return collect(produced instanceof Readable ? (produced as AsyncIterable<Piece>) : produced);
}

export async function runTransform<S extends TSchema>(
  plugin: TransformPlugin<S>,
  rawConfig: unknown,
  input: Iterable<Piece> | AsyncIterable<Piece>,
  ctx: PluginContext = createTestContext(),
): Promise<Piece[]> {
  const stage = plugin.create(validatePluginConfig<S>(plugin, rawConfig), ctx);
  const out: Piece[] = [];
  for await (const piece of input) for await (const produced of stage.push(piece)) out.push(produced);
  if (stage.flush) for await (const produced of stage.flush()) out.push(produced);
  return out;
}

export async function runSink<S extends TSchema>(
  plugin: SinkPlugin<S>,
  rawConfig: unknown,
  input: Iterable<Piece> | AsyncIterable<Piece>,
  ctx: PluginContext = createTestContext(),
): Promise<SinkResult> {
  const config = validatePluginConfig<S>(plugin, rawConfig);
  return plugin.consume(toAsync(input), config, ctx);
}

async function* toAsync<T>(input: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* input;
}
