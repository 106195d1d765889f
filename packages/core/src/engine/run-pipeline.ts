/**
 * Runs one pipeline: source -> transforms -> sink as Node streams: the source a Readable, each
 * transform a stream-chain stage, joined with stream.pipeline; the sink iterates the last stage.
 *
 * Backpressure holds end to end because every stage is pull-driven with a high-water mark of one
 * piece: the sink pulls from the last stage, each stage pulls from the one before, and the source
 * reads only when asked. So the data in flight is bounded by a few chunks, never by input size.
 * The sink reads the last stage itself rather than through a wrapper stream: a wrapper would
 * buffer one more piece, and with 10MB chunks one piece is 10MB.
 * Every piece crossing from one plugin to the next is checked (see piece-guard.ts), and every
 * plugin call runs in its plugin's scope (see plugin-scope.ts). The first failure anywhere aborts
 * the pipeline's AbortSignal and destroys every stage; the error names the pipeline and the plugin
 * that failed, and the sink's input stops at once, even when a stage upstream hangs.
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
import { settleDocuments } from './document-delivery';
import type { DocumentOutcome, PipelineOutcome } from './outcome';
import { guardPieces } from './piece-guard';
import { inPluginScope, type PluginScope } from './plugin-scope';
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

export async function runPipeline(pipeline: ResolvedPipeline, options: PipelineRunOptions): Promise<PipelineOutcome> {
  const started = Date.now();
  const controller = new AbortController();
  let failure: PipeError | undefined;
  /** The first failure stops the pipeline and is its outcome's error. */
  const fail = (error: PipeError) => {
    failure ??= error;
    if (!controller.signal.aborted) controller.abort(error);
  };
  const abortFromRun = () => fail(new InterruptedError());
  if (options.signal.aborted) abortFromRun();
  options.signal.addEventListener('abort', abortFromRun, { once: true });
  /** What a stage throws fails the pipeline, named after the stage; once the pipeline is stopping, its reason stands. */
  const failedIn =
    (stage: ResolvedStage) =>
    (error: unknown): PipeError => {
      const cause = controller.signal.aborted ? (controller.signal.reason as PipeError) : labelled(pipeline.name, stage, error);
      fail(cause);
      return cause;
    };
  const scopeOf = (stage: ResolvedStage): PluginScope => ({
    pipeline: pipeline.name,
    plugin: stage.plugin.name,
    fail: (error) => void failedIn(stage)(error),
  });

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
  const ended = new Set<string>();
  let streams: Array<Readable | Duplex> = [];
  let sinkResult: SinkResult | undefined;

  try {
    const { source, transforms, sink } = pipeline;
    const sourceCtx = contextFor(source);
    const transformCtxs = transforms.map(contextFor);
    const sinkCtx = contextFor(sink);
    const expectedBytes = await inPluginScope(scopeOf(source), async () => source.plugin.estimateBytes?.(source.config, sourceCtx)).catch((e: unknown) => {
      throw failedIn(source)(e);
    });
    const chunkSize = [...transforms]
      .reverse()
      .map((t) => t.plugin.chunkSize?.(t.config))
      .find((n) => n !== undefined);
    shape = { expectedBytes, chunkSize };

    const sourcePlugin = source.plugin;
    const sourcePieces = guardPieces(scopeOf(source), () => sourcePlugin.open(source.config, sourceCtx), failedIn(source));
    const sourceStream = Readable.from(sourcePieces, { objectMode: true, highWaterMark: 1 });
    const stages = transforms.map((t, i) => transformStream(t, transformCtxs[i], scopeOf(t), failedIn(t)));
    streams = [sourceStream, ...stages];
    // pipeline() destroys every stage when one fails; stages report their own errors through
    // failedIn, so one arriving here first comes from the streams themselves.
    if (stages.length) pipeStreams(streams, (e) => e && fail(new PipeError(`pipeline "${pipeline.name}": ${errorMessage(e)}`, { cause: e })));
    const last = stages.at(-1) ?? sourceStream;
    controller.signal.addEventListener('abort', () => {
      for (const s of streams) s.destroy(controller.signal.reason as Error);
    });

    const input = sinkInput(last as AsyncIterable<Piece>, documents, ended, controller.signal);
    sinkResult = await inPluginScope(scopeOf(sink), () => sink.plugin.consume(input, sink.config, sinkCtx));
    const incomplete = [...documents.values()].filter((d) => d.status !== 'failed' && !ended.has(d.id));
    if (incomplete.length) {
      throw new PipeError(`the sink finished before reading all input (documents: ${incomplete.map((d) => d.name).join(', ')})`);
    }
  } catch (error) {
    failedIn(pipeline.sink)(error);
  } finally {
    options.signal.removeEventListener('abort', abortFromRun);
    for (const s of streams) s.destroy();
    await Promise.all(leases.map((lease) => lease.release()));
  }

  const docs = [...documents.values()];
  settleDocuments(docs, ended, failure instanceof InterruptedError ? 'interrupted' : failure ? 'failed' : 'delivered', sinkResult);
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

/** A transform plugin as a stream-chain stage: one piece in, zero or more out, a flush at the end. */
function transformStream(stage: ResolvedStage, ctx: PluginContext, scope: PluginScope, failed: (error: unknown) => Error): Duplex {
  const plugin = stage.plugin as Extract<Plugin, { kind: 'transform' }>;
  let running: ReturnType<typeof plugin.create>;
  try {
    running = inPluginScope(scope, () => plugin.create(stage.config, ctx));
  } catch (error) {
    throw failed(error);
  }
  const fn = chain.flushable(
    (piece: Piece) => guardPieces(scope, () => running.push(piece), failed),
    () => guardPieces(scope, () => running.flush?.() ?? [], failed),
  );
  return chain.asStream(fn, ONE_PIECE);
}

/** The next item, or the pipeline's stop reason as soon as it stops (a hung stage never answers). */
function nextUnlessStopped<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise((resolveNext, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (next) => {
        signal.removeEventListener('abort', onAbort);
        resolveNext(next);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The sink's input: passes pieces through while keeping each document's bytes, rows and timing
 * for the summary, and which documents their producer ended.
 */
async function* sinkInput(
  input: AsyncIterable<Piece>,
  documents: Map<string, DocumentOutcome>,
  ended: Set<string>,
  signal: AbortSignal,
): AsyncGenerator<Piece> {
  const firstSeen = new Map<string, number>();
  const iterator = input[Symbol.asyncIterator]();
  for (;;) {
    const next = await nextUnlessStopped(iterator, signal);
    if (next.done) return;
    const piece = next.value;
    let doc = documents.get(piece.doc.id);
    if (!doc) {
      documents.set(piece.doc.id, (doc = { id: piece.doc.id, name: piece.doc.name, status: 'incomplete', bytes: 0 }));
      firstSeen.set(piece.doc.id, Date.now());
    }
    if (piece.type === 'data') doc.bytes += piece.data.length;
    else if (piece.type === 'end') {
      ended.add(piece.doc.id);
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
