/**
 * Runs one pipeline: source -> transforms -> sink as Node streams: the source a Readable, each
 * transform a stream-chain stage, joined with stream.pipeline; the sink iterates the last stage.
 *
 * Backpressure holds end to end because every stage is pull-driven with a high-water mark of one
 * piece: the sink pulls from the last stage, each stage pulls from the one before, and the source
 * reads only when asked. So the data in flight is bounded by a few chunks, never by input size.
 * The sink reads the last stage itself rather than through a wrapper stream: a wrapper would
 * buffer one more piece, and with 10MB chunks one piece is 10MB.
 * A failure anywhere aborts the pipeline's AbortSignal and destroys every stage; the error names
 * the pipeline and the plugin.
 */
import { resolve } from 'node:path';
import { pipeline as pipeStreams, Readable, type Duplex } from 'node:stream';
import chain = require('stream-chain');
import { InterruptedError, PipeError, PluginError, errorMessage } from '../errors';
import type { ResolvedPipeline, ResolvedStage } from '../config/resolve-pipeline-file';
import { InProcessTargetLocks, type TargetLease, type TargetLocks } from '../locks/target-locks';
import type { Logger, PipelineShape, PluginContext, SecretRegistry } from '../plugin/context';
import type { Plugin, SinkResult } from '../plugin/contract';
import type { Piece } from '../plugin/piece';
import type { DocumentOutcome, PipelineOutcome } from './outcome';
import { PluginProgress, type ProgressListener, type ProgressCounts } from './progress';

export interface PipelineRunOptions {
  readonly runId: string;
  readonly runDir: string;
  readonly cwd: string;
  /** The run's signal: aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly secrets: SecretRegistry;
  readonly onProgress?: (pipeline: string, plugin: string, counts: Readonly<ProgressCounts>) => void;
  /** Only these documents, for sources that produce several (a re-run of what failed). */
  readonly selectDocuments?: ReadonlySet<string>;
  /** Where `ctx.exclusive` takes its leases; shared by every pipeline of a run (default: this pipeline's own). */
  readonly locks?: TargetLocks;
}

const ONE_PIECE = { readableHighWaterMark: 1, writableHighWaterMark: 1 } as const;

function stageLabel(stage: ResolvedStage): string {
  return `${stage.plugin.kind}:${stage.plugin.name}`;
}

/** Errors leaving a plugin carry the pipeline and plugin names; ones already labelled pass through. */
function labelled(pipeline: string, stage: ResolvedStage, error: unknown): PluginError | InterruptedError {
  if (error instanceof PluginError || error instanceof InterruptedError) return error;
  return new PluginError(pipeline, stage.plugin.name, error);
}

async function* labelErrors<T>(items: AsyncIterable<T> | Iterable<T>, onError: (e: unknown) => Error): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (error) {
    throw onError(error);
  }
}

export async function runPipeline(pipeline: ResolvedPipeline, options: PipelineRunOptions): Promise<PipelineOutcome> {
  const started = Date.now();
  const controller = new AbortController();
  const abortFromRun = () => controller.abort(new InterruptedError());
  if (options.signal.aborted) abortFromRun();
  options.signal.addEventListener('abort', abortFromRun, { once: true });

  const locks = options.locks ?? new InProcessTargetLocks();
  const leases: TargetLease[] = [];
  const progress: Record<string, PluginProgress> = {};
  const listener: ProgressListener = (plugin, counts) => options.onProgress?.(pipeline.name, plugin, counts);
  let shape: PipelineShape = {};
  const contextFor = (stage: ResolvedStage): PluginContext => {
    const label = stageLabel(stage);
    progress[label] ??= new PluginProgress(label, listener);
    return {
      signal: controller.signal,
      log: options.log.child({ pipeline: pipeline.name, plugin: stage.plugin.name }),
      progress: progress[label],
      secrets: options.secrets,
      cwd: options.cwd,
      runDir: options.runDir,
      runId: options.runId,
      pipeline: pipeline.name,
      get shape() {
        return shape;
      },
      selectDocuments: stage === pipeline.source ? options.selectDocuments : undefined,
      resolvePath: (p) => resolve(options.cwd, p),
      exclusive: async (target) => {
        const lease = await locks.acquire([target.key], {
          owner: `pipeline "${pipeline.name}"`,
          signal: controller.signal,
          onWait: (_, heldBy) => options.log.info(`pipeline "${pipeline.name}" waits for ${target.label}, held by ${heldBy}`),
        });
        leases.push(lease);
        return lease;
      },
    };
  };

  const documents = new Map<string, DocumentOutcome>();
  let streams: Array<Readable | Duplex> = [];
  let sinkResult: SinkResult | undefined;
  let failure: PluginError | InterruptedError | undefined;
  const fail = (error: PluginError | InterruptedError) => {
    failure ??= error;
    if (!controller.signal.aborted) controller.abort(error);
  };

  try {
    const sourceCtx = contextFor(pipeline.source);
    const transformCtxs = pipeline.transforms.map(contextFor);
    const sinkCtx = contextFor(pipeline.sink);
    const expectedBytes = await call(pipeline, pipeline.source, () => pipeline.source.plugin.estimateBytes?.(pipeline.source.config, sourceCtx));
    const chunkSize = [...pipeline.transforms].reverse().map((t) => t.plugin.chunkSize?.(t.config)).find((n) => n !== undefined);
    shape = { expectedBytes, chunkSize };

    const produced = await call(pipeline, pipeline.source, () => pipeline.source.plugin.open(pipeline.source.config, sourceCtx));
    const source = Readable.from(
      labelErrors(produced as AsyncIterable<Piece>, (e) => labelled(pipeline.name, pipeline.source, e)),
      { objectMode: true, highWaterMark: 1 },
    );
    const stages = pipeline.transforms.map((t, i) => transformStream(pipeline, t, transformCtxs[i]));
    streams = [source, ...stages];
    // pipeline() destroys every stage when one fails, which ends the sink's read with that error.
    if (stages.length) pipeStreams(streams, (e) => e && fail(labelled(pipeline.name, pipeline.source, e)));
    const last = stages.at(-1) ?? source;
    controller.signal.addEventListener('abort', () => {
      for (const s of streams) s.destroy(controller.signal.reason as Error);
    });

    const observed = observeDocuments(last as AsyncIterable<Piece>, documents);
    sinkResult = await pipeline.sink.plugin.consume(observed, pipeline.sink.config, sinkCtx);
    const incomplete = [...documents.values()].filter((d) => d.status === 'incomplete');
    if (incomplete.length) {
      throw new PipeError(`the sink finished before reading all input (documents: ${incomplete.map((d) => d.name).join(', ')})`);
    }
  } catch (error) {
    fail(controller.signal.reason instanceof InterruptedError ? controller.signal.reason : labelled(pipeline.name, pipeline.sink, error));
  } finally {
    options.signal.removeEventListener('abort', abortFromRun);
    for (const s of streams) s.destroy();
    await Promise.all(leases.map((lease) => lease.release()));
  }

  const docs = [...documents.values()];
  for (const d of docs) {
    const delivered = sinkResult?.documents?.find((r) => r.doc.id === d.id);
    if (delivered) d.outputs = delivered.outputs;
  }
  const failedDocs = docs.filter((d) => d.status === 'failed');
  const partial = !failure && failedDocs.length > 0;
  if (partial) {
    failure = new PluginError(
      pipeline.name,
      pipeline.source.plugin.name,
      new PipeError(`${failedDocs.length} of ${docs.length} documents failed: ${failedDocs.map((d) => `${d.name} (${d.error})`).join('; ')}`),
    );
  }
  const counts = Object.fromEntries(Object.entries(progress).map(([k, v]) => [k, { ...v.counts }]));
  return {
    name: pipeline.name,
    status: failure instanceof InterruptedError ? 'interrupted' : failure ? 'failed' : 'succeeded',
    error: failure ? options.secrets.redact(failure.message) : undefined,
    partial: partial || undefined,
    failedPlugin: failure instanceof PluginError ? failure.plugin : undefined,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    attempts: 1,
    bytes: docs.reduce((n, d) => n + d.bytes, 0),
    documents: docs,
    sink: sinkResult,
    progress: counts,
  };
}

async function call<T>(pipeline: ResolvedPipeline, stage: ResolvedStage, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw labelled(pipeline.name, stage, error);
  }
}

/** A transform plugin as a stream-chain stage: one piece in, zero or more out, a flush at the end. */
function transformStream(pipeline: ResolvedPipeline, stage: ResolvedStage, ctx: PluginContext): Duplex {
  const plugin = stage.plugin as Extract<Plugin, { kind: 'transform' }>;
  const running = plugin.create(stage.config, ctx);
  const label = (e: unknown) => labelled(pipeline.name, stage, e);
  const fn = chain.flushable(
    (piece: Piece) => labelErrors(running.push(piece), label),
    () => labelErrors(running.flush?.() ?? [], label),
  );
  return chain.asStream(fn, ONE_PIECE);
}

/** Passes pieces through while keeping each document's bytes and outcome for the summary. */
async function* observeDocuments(input: AsyncIterable<Piece>, documents: Map<string, DocumentOutcome>): AsyncGenerator<Piece> {
  const firstSeen = new Map<string, number>();
  for await (const piece of input) {
    let doc = documents.get(piece.doc.id);
    if (!doc) {
      documents.set(piece.doc.id, (doc = { id: piece.doc.id, name: piece.doc.name, status: 'incomplete', bytes: 0 }));
      firstSeen.set(piece.doc.id, Date.now());
    }
    if (piece.type === 'data') doc.bytes += piece.data.length;
    else if (piece.type === 'end') {
      doc.status = 'succeeded';
      if (piece.rows !== undefined) doc.rows = piece.rows;
      doc.durationMs = piece.durationMs ?? Date.now() - firstSeen.get(piece.doc.id)!;
    } else {
      doc.status = 'failed';
      doc.error = errorMessage(piece.error);
      doc.durationMs = Date.now() - firstSeen.get(piece.doc.id)!;
    }
    yield piece;
  }
}

