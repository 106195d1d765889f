/**
 * Starting a queued run and moving it on. A run starts with the jobs of the pipelines that need
 * nothing; each worker that ends a pipeline then adds the jobs its end made ready and records
 * the skips it caused (see nextSteps). A job's id is `<run>.<pipeline>`, so two workers ending
 * two needs at the same moment add the dependent's job once: BullMQ ignores an id it holds.
 */
import { ExitCode } from '@pipe/core';
import { type PipelineOutcome, type PipelineStatus, type RunOutcome } from '@pipe/core/engine';
import type { JobsOptions } from 'bullmq';
import type { PipelineJobData, RunPlan } from './job-data';
import { nextSteps } from './needs-graph';
import type { PipeQueue } from './pipe-queue';
import { RunStore } from './run-store';

/** First wait before a failed pipeline starts over; doubled each time (BullMQ's exponential backoff). */
export const RETRY_DELAY_MS = Number(process.env.PIPE_QUEUE_RETRY_DELAY_MS ?? 5_000);

const DAY_SECONDS = 24 * 3600;

export function pipelineJobId(runId: string, pipeline: string): string {
  return `${runId}.${pipeline}`;
}

function jobOptions(plan: RunPlan, name: string): JobsOptions {
  const retries = plan.pipelines.find((p) => p.name === name)?.retries ?? 0;
  return {
    jobId: pipelineJobId(plan.runId, name),
    // `retries:` per pipeline: BullMQ starts the job over, with backoff, on any worker.
    attempts: retries + 1,
    backoff: { type: 'exponential', delay: RETRY_DELAY_MS },
    // Ended jobs stay a week (`pipe queue`, the dashboard); the run's own record is in RunStore.
    removeOnComplete: { age: 7 * DAY_SECONDS },
    removeOnFail: { age: 7 * DAY_SECONDS },
  };
}

export async function startQueuedRun(queue: PipeQueue, plan: RunPlan): Promise<void> {
  await new RunStore(queue.redis).create(plan);
  await advanceRun(queue, plan);
}

/** Adds the jobs that are ready and records the pipelines skipped; returns the outcomes so far. */
export async function advanceRun(queue: PipeQueue, plan: RunPlan): Promise<Map<string, PipelineOutcome>> {
  const store = new RunStore(queue.redis);
  const outcomes = await store.outcomes(plan.runId);
  const steps = nextSteps(plan, new Map([...outcomes].map(([name, o]) => [name, o.status])));
  for (const { name, reason } of steps.skipped) {
    const skipped: PipelineOutcome = { name, status: 'skipped', error: reason, durationMs: 0, attempts: 0, bytes: 0, documents: [], progress: {} };
    if (await store.record(plan.runId, skipped)) outcomes.set(name, skipped);
  }
  for (const name of steps.ready) {
    const data: PipelineJobData = { kind: 'pipeline', runId: plan.runId, file: plan.file, pipeline: name };
    await queue.queue.add(name, data, jobOptions(plan, name));
  }
  return outcomes;
}

/** The run's outcome once every pipeline has ended, as `pipe run` would report it; else undefined. */
export function queuedRunOutcome(plan: RunPlan, outcomes: ReadonlyMap<string, PipelineOutcome>): RunOutcome | undefined {
  if (!plan.pipelines.every((p) => outcomes.has(p.name))) return undefined;
  const pipelines = plan.pipelines.map((p) => outcomes.get(p.name)!);
  const statuses = new Set<PipelineStatus>(pipelines.map((p) => p.status));
  const interrupted = statuses.has('interrupted');
  const failed = [...statuses].some((s) => s !== 'succeeded');
  const started = Date.parse(plan.startedAt);
  const ended = Math.max(started, ...pipelines.map((p) => (p.startedAt ? Date.parse(p.startedAt) + p.durationMs : started)));
  return {
    runId: plan.runId,
    file: plan.file,
    startedAt: plan.startedAt,
    durationMs: ended - started,
    status: interrupted ? 'interrupted' : failed ? 'failed' : 'succeeded',
    exitCode: interrupted ? ExitCode.Interrupted : failed ? ExitCode.Failed : ExitCode.Ok,
    pipelines,
  };
}
