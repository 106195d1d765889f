/**
 * What a job holds in Redis. Never a secret: a run keeps the pipeline file's text as written
 * (`${ANAPLAN_PASSWORD}`, not its value) and where it came from; each worker fills variables,
 * `.env` and saved credentials from its own machine when it loads the file.
 */

/** One pipeline of one run: the run's plan (and the file's text) is kept once per run (see RunStore). */
export interface PipelineJobData {
  readonly kind: 'pipeline';
  readonly runId: string;
  /** The pipeline file's absolute path where it was enqueued; the worker reads paths and `.env` relative to it. */
  readonly file: string;
  readonly pipeline: string;
}

/** A scheduled run: when it fires, the worker that takes it starts a run of the file's pipelines. */
export interface ScheduledRunJobData {
  readonly kind: 'run';
  readonly file: string;
  /** The file's text when it was scheduled. */
  readonly text: string;
  /** Only these pipelines (none: all). */
  readonly only?: readonly string[];
}

export type QueueJobData = PipelineJobData | ScheduledRunJobData;

/** One pipeline as a run plans it: enough to release its dependents without loading the file. */
export interface PlannedPipeline {
  readonly name: string;
  /** Needs within the run's selection (the others are taken as met, as in `pipe run --pipeline`). */
  readonly needs: readonly string[];
  readonly retries: number;
}

export interface RunPlan {
  readonly runId: string;
  readonly file: string;
  readonly text: string;
  readonly startedAt: string;
  /** In file order. */
  readonly pipelines: readonly PlannedPipeline[];
  /** Per pipeline, only these documents (`--only-failed` of a multi-document source). */
  readonly documents?: Readonly<Record<string, readonly string[]>>;
}
