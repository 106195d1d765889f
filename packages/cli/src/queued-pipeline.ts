/**
 * How a worker runs one queued pipeline: as `pipe run FILE --pipeline NAME` would, from the text
 * the run carries, read as if from its path on this machine. So `${VAR}`, `.env`, saved
 * credentials, plugins, log files and the state directory are this worker's own. The outcome goes
 * back to Redis redacted with this run's secrets.
 */
import { dirname } from 'node:path';
import type { LogLevel } from '@pipe/core';
import { errorMessage } from '@pipe/core/errors';
import { Redactor } from '@pipe/core/redactor';
import { pipelineFileFromText, resolvePipelineFile, runPipelines, type PipelineOutcome, type ResolvedPipelineFile } from '@pipe/core/engine';
import type { PipelineJob, PipelineJobContext } from '@pipe/queue';
import { catalogFor } from './load-project';
import { projectLogger } from './project-logger';

export interface QueuedPipelineOptions {
  /** The worker's name, in log lines. */
  readonly worker: string;
  /** Console level (default: the file's logs.consoleLevel, then warn). */
  readonly consoleLevel?: LogLevel;
}

export async function runQueuedPipeline(job: PipelineJob, ctx: PipelineJobContext, options: QueuedPipelineOptions): Promise<PipelineOutcome> {
  const redactor = new Redactor();
  const clean = (outcome: PipelineOutcome): PipelineOutcome => JSON.parse(redactor.redact(JSON.stringify(outcome))) as PipelineOutcome;
  let project: ResolvedPipelineFile;
  try {
    project = await resolvePipelineFile(pipelineFileFromText(job.file, job.text), catalogFor(dirname(job.file)));
  } catch (error) {
    // This worker's environment cannot load the file (a variable not set here, a plugin not installed): the pipeline fails, saying where.
    return clean(failed(job.pipeline, `worker ${options.worker} cannot load ${job.file}: ${errorMessage(error)}`));
  }
  for (const secret of project.secrets) redactor.add(secret);
  if (!project.pipelines.some((p) => p.name === job.pipeline)) {
    return clean(failed(job.pipeline, `worker ${options.worker}: ${job.file} has no pipeline "${job.pipeline}"`));
  }
  const logger = await projectLogger(project, job.runId, redactor, { consoleLevel: options.consoleLevel });
  try {
    // One attempt here: `retries:` is the queue's (BullMQ starts the job over, on any worker).
    const once: ResolvedPipelineFile = { ...project, pipelines: project.pipelines.map((p) => (p.name === job.pipeline ? { ...p, retries: 0 } : p)) };
    logger.info('pipeline started', { pipeline: job.pipeline, worker: options.worker, job: job.jobId, attempt: job.attempt, attempts: job.attempts });
    const run = await runPipelines(once, {
      only: [job.pipeline],
      documents: job.documents ? { [job.pipeline]: job.documents } : undefined,
      signal: ctx.signal,
      log: logger,
      secrets: redactor,
      runId: job.runId,
      locks: ctx.locks,
      onProgress: (_pipeline, plugin, counts) => ctx.onProgress(plugin, counts),
    });
    const outcome = run.pipelines[0];
    logger[outcome.status === 'succeeded' ? 'info' : 'error'](`pipeline ${outcome.status}`, {
      pipeline: outcome.name,
      error: outcome.error,
      bytes: outcome.bytes,
      durationMs: outcome.durationMs,
    });
    return clean(outcome);
  } finally {
    await logger.close();
  }
}

function failed(name: string, error: string): PipelineOutcome {
  return { name, status: 'failed', error, durationMs: 0, attempts: 1, bytes: 0, documents: [], progress: {} };
}
