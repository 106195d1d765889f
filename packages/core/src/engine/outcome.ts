/** What a run reports: per pipeline and per document, the run summary's source of truth. */
import type { SinkResult } from '../plugin/contract';
import type { ProgressCounts } from './progress';

export type PipelineStatus = 'succeeded' | 'failed' | 'skipped' | 'interrupted';

export interface DocumentOutcome {
  readonly id: string;
  readonly name: string;
  /**
   * `succeeded` only once the sink delivered it (see settleDocuments); `interrupted` when the run
   * stopped first. `incomplete` only while the pipeline runs: no end or failure seen yet.
   */
  status: 'succeeded' | 'failed' | 'interrupted' | 'incomplete';
  bytes: number;
  /** Data rows, as the source counted them, else as the sink did (an import's rows). */
  rows?: number;
  /** From the producer's first request (or the document's first piece) to its end or failure. */
  durationMs?: number;
  error?: string;
  outputs?: readonly string[];
}

export interface PipelineOutcome {
  readonly name: string;
  readonly status: PipelineStatus;
  readonly error?: string;
  /** The pipeline ran to the end but some documents failed (the others were delivered). */
  readonly partial?: boolean;
  /** The plugin that failed, when one did. */
  readonly failedPlugin?: string;
  readonly startedAt?: string;
  readonly durationMs: number;
  readonly attempts: number;
  /** Bytes the source produced. */
  readonly bytes: number;
  readonly documents: readonly DocumentOutcome[];
  readonly sink?: SinkResult;
  /** Counters per plugin (`source:file`, `transform:chunk-lines`, `sink:dir`). */
  readonly progress: Readonly<Record<string, ProgressCounts>>;
}

export interface RunOutcome {
  readonly runId: string;
  readonly file: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly exitCode: number;
  /** Why the run stopped, when no pipeline's error says it (an error outside every pipeline). */
  readonly error?: string;
  readonly pipelines: readonly PipelineOutcome[];
}
