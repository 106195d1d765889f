/**
 * A worker: a BullMQ Worker on pipe's queue that runs each pipeline job with the engine (through
 * `runPipeline`, which the CLI supplies: it loads plugins, logs and secrets as `pipe run` does).
 *
 * - A job waiting for its target keeps running as far as BullMQ knows (it renews the job's lock
 *   while the processor runs), so it is never taken for stalled.
 * - A worker that dies stops renewing: after `lockMs` BullMQ gives the job to another worker,
 *   which starts the pipeline over; its target leases expire after the same time.
 * - A failed attempt with `retries:` left is thrown back to BullMQ, which retries it with backoff.
 * - `stop()` lets running jobs finish; `stop({ handBack: true })` stops them and puts them back
 *   in the queue for another worker, without counting an attempt.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { errorMessage, type ProgressCounts } from '@pipe/core';
import { type PipelineOutcome } from '@pipe/core/engine';
import type { QueueJobData, RunPlan, ScheduledRunJobData } from './job-data';
import { KEY_PREFIX, QUEUE_NAME, type PipeQueue } from './pipe-queue';
import { advanceRun, startQueuedRun } from './queued-run';
import { RedisTargetLocks } from './redis-target-locks';
import { RunStore } from './run-store';
import type { TargetLocks } from '@pipe/core/engine';

/** One pipeline to run, as a job gives it. */
export interface PipelineJob {
  readonly jobId: string;
  readonly runId: string;
  readonly file: string;
  readonly text: string;
  readonly pipeline: string;
  readonly documents?: readonly string[];
  /** 1-based, of `attempts`. */
  readonly attempt: number;
  readonly attempts: number;
}

export interface PipelineJobContext {
  readonly locks: TargetLocks;
  readonly signal: AbortSignal;
  readonly onProgress: (plugin: string, counts: Readonly<ProgressCounts>) => void;
}

export interface PipelineWorkerOptions {
  readonly concurrency: number;
  /** Shown as the job's worker (`pipe queue`, the dashboard). Default `host:pid`. */
  readonly name?: string;
  /** How long a dead worker's jobs and target leases stay held before others take them. */
  readonly lockMs: number;
  /** Runs one pipeline with the engine; returns its outcome with secrets already redacted. */
  readonly runPipeline: (job: PipelineJob, ctx: PipelineJobContext) => Promise<PipelineOutcome>;
  /** Plans a scheduled run from the file's text (loaded and validated on this worker). */
  readonly planScheduledRun: (data: ScheduledRunJobData) => Promise<RunPlan>;
  /** One line per event a person watching the worker wants to see. */
  readonly say: (line: string) => void;
}

export const DEFAULT_LOCK_MS = 30_000;

export class PipelineWorker {
  readonly name: string;
  private readonly worker: Worker<QueueJobData>;
  private handingBack = false;

  constructor(
    private readonly queue: PipeQueue,
    private readonly options: PipelineWorkerOptions,
  ) {
    this.name = options.name ?? `${hostname()}:${process.pid}`;
    this.worker = new Worker<QueueJobData>(QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection: { url: queue.url },
      prefix: KEY_PREFIX,
      concurrency: options.concurrency,
      name: this.name,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      // A job whose workers keep dying is not retried forever.
      maxStalledCount: 3,
      autorun: false,
    });
    this.worker.on('error', (error) => options.say(`worker: ${errorMessage(error)}`));
  }

  /** Takes jobs until stop(). */
  start(): void {
    void this.worker.run();
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  async stop(options: { handBack?: boolean } = {}): Promise<void> {
    if (options.handBack) {
      this.handingBack = true;
      this.worker.cancelAllJobs('the worker is stopping');
    }
    await this.worker.close();
  }

  private async process(job: Job<QueueJobData>, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (job.data.kind === 'run') {
      const plan = await this.options.planScheduledRun(job.data);
      await startQueuedRun(this.queue, plan);
      this.options.say(`${job.name}: started run ${plan.runId} (${plan.pipelines.length} pipelines)`);
      return { runId: plan.runId };
    }
    const { runId, pipeline } = job.data;
    const store = new RunStore(this.queue.redis);
    const plan = await store.plan(runId);
    if (!plan) throw new UnrecoverableError(`run ${runId} is no longer in Redis (runs are kept 30 days)`);
    const recorded = (await store.outcomes(runId)).get(pipeline);
    if (recorded) {
      // Run again after its outcome was recorded (the last worker died before the job was marked done).
      await advanceRun(this.queue, plan);
      return recorded;
    }
    const firstStart = await store.markStarted(runId, pipeline);
    const attempts = job.opts.attempts ?? 1;
    const attempt = Math.min(job.attemptsMade + 1, attempts);

    const controller = new AbortController();
    const stop = () => controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    let lostTarget: string | undefined;
    const locks = new RedisTargetLocks(this.queue.redis, {
      ttlMs: this.options.lockMs,
      holder: `worker ${this.name}, run ${runId}`,
      onLost: (key) => {
        lostTarget = key;
        controller.abort();
      },
    });
    let progressAt = 0;
    const progress: Record<string, ProgressCounts> = {};
    this.options.say(`${pipeline}: started (run ${runId}, attempt ${attempt} of ${attempts})`);
    let outcome: PipelineOutcome;
    try {
      outcome = await this.options.runPipeline(
        { jobId: job.id ?? '', runId, file: plan.file, text: plan.text, pipeline, documents: plan.documents?.[pipeline], attempt, attempts },
        {
          locks,
          signal: controller.signal,
          onProgress: (plugin, counts) => {
            progress[plugin] = { ...counts };
            if (Date.now() - progressAt < 1000) return;
            progressAt = Date.now();
            void job.updateProgress(progress).catch(() => undefined);
          },
        },
      );
    } finally {
      signal?.removeEventListener('abort', stop);
      await locks.close();
    }
    if (Object.keys(progress).length) await job.updateProgress(progress).catch(() => undefined);

    if (outcome.status === 'interrupted' && this.handingBack && token) {
      this.options.say(`${pipeline}: handed back to the queue`);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (lostTarget)
      outcome = {
        ...outcome,
        status: 'failed',
        error: `lost its hold on ${lostTarget}: the worker stalled longer than the lease (PIPE_QUEUE_LOCK_MS), so another job may load it now`,
      };
    outcome = { ...outcome, attempts: attempt, startedAt: new Date(firstStart).toISOString(), durationMs: Date.now() - firstStart };
    if (outcome.status === 'failed' && attempt < attempts) {
      this.options.say(`${pipeline}: failed; starting over (attempt ${attempt + 1} of ${attempts}): ${outcome.error ?? ''}`);
      throw new Error(outcome.error ?? 'failed');
    }
    await store.record(runId, outcome);
    await advanceRun(this.queue, plan);
    this.options.say(`${pipeline}: ${outcome.status}${outcome.error ? ` - ${outcome.error}` : ''}`);
    if (outcome.status !== 'succeeded') throw new UnrecoverableError(outcome.error ?? outcome.status);
    return outcome;
  }
}
