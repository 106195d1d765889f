/** The queue's jobs as `pipe queue` shows them: state, pipeline, run, worker, progress and error. */
import type { ProgressCounts } from '@pipe/core';
import type { JobState } from 'bullmq';
import type { PipeQueue } from './pipe-queue';

export interface ListedJob {
  readonly id: string;
  readonly state: JobState | 'unknown';
  /** The pipeline (or `run FILE` for a scheduled start). */
  readonly name: string;
  readonly runId?: string;
  readonly file: string;
  readonly worker?: string;
  /** Attempts started (a job restarted after its worker died counts again). */
  readonly attempts: number;
  /** Counters per plugin, as the worker last reported them. */
  readonly progress?: Readonly<Record<string, ProgressCounts>>;
  readonly error?: string;
  readonly enqueuedAt: string;
  readonly finishedAt?: string;
}

const STATES: JobState[] = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'];

/** Unfinished jobs first, then the `limit` most recent finished ones. */
export async function listJobs(queue: PipeQueue, limit = 100): Promise<ListedJob[]> {
  const listed: ListedJob[] = [];
  for (const state of STATES) {
    const finished = state === 'completed' || state === 'failed';
    const jobs = await queue.queue.getJobs([state], 0, finished ? limit - 1 : -1, !finished);
    for (const job of jobs) {
      if (!job?.id) continue;
      const data = job.data;
      listed.push({
        id: job.id,
        state,
        name: job.name,
        runId: data.kind === 'pipeline' ? data.runId : undefined,
        file: data.file,
        worker: job.processedBy ?? undefined,
        attempts: job.attemptsStarted ?? job.attemptsMade,
        progress: typeof job.progress === 'object' && job.progress !== null ? (job.progress as Record<string, ProgressCounts>) : undefined,
        error: job.failedReason || undefined,
        enqueuedAt: new Date(job.timestamp).toISOString(),
        finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
      });
    }
  }
  return listed;
}
