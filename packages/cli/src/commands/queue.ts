import { Flags } from '@oclif/core';
import { ExitCode } from '@pipe/core/errors';
import { listJobs, type ListedJob } from '@pipe/queue';
import { PipeCommand, type CommandOutcome } from '../pipe-command';
import { openQueue, redisFlag } from '../queue-connection';
import { formatBytes, table } from '../render/format';

interface QueueResult {
  readonly redis: string;
  readonly jobs: readonly ListedJob[];
}

export default class Queue extends PipeCommand<QueueResult> {
  static override summary = 'Show the jobs on the queue: waiting, running, done and failed.';
  static override description =
    'One line per job, running and waiting ones first, then the most recent that ended: its state, pipeline, run, the worker that took it, ' +
    'attempts, progress (bytes read, chunks) and error. --json gives every field, with progress per plugin.';
  static override examples = ['<%= config.bin %> <%= command.id %> --redis redis://queue.internal:6379', '<%= config.bin %> <%= command.id %> --json'];

  static override flags = {
    redis: redisFlag,
    limit: Flags.integer({ min: 1, default: 50, description: 'Show at most this many completed and this many failed jobs (the most recent).' }),
  };

  protected async execute(): Promise<CommandOutcome<QueueResult>> {
    const { flags } = await this.parse(Queue);
    const queue = await openQueue(flags.redis, this.redactor);
    try {
      return { result: { redis: queue.server, jobs: await listJobs(queue, flags.limit) }, exitCode: ExitCode.Ok };
    } finally {
      await queue.close();
    }
  }

  protected render(result: QueueResult): string {
    if (!result.jobs.length) return `No jobs on ${result.redis}.`;
    const rows = result.jobs.map((job) => [job.state, job.name, job.runId ?? '-', job.worker ?? '-', String(job.attempts), progressOf(job), job.error ?? '']);
    return table(['STATE', 'PIPELINE', 'RUN', 'WORKER', 'ATTEMPTS', 'PROGRESS', 'ERROR'], rows);
  }
}

/** Bytes the source read and chunks the sink took, as last reported. */
function progressOf(job: ListedJob): string {
  const counts = Object.entries(job.progress ?? {});
  if (!counts.length) return '-';
  const bytes = Math.max(0, ...counts.filter(([plugin]) => plugin.startsWith('source:')).map(([, c]) => c.bytes));
  const chunks = Math.max(0, ...counts.map(([, c]) => c.chunks));
  return `${formatBytes(bytes)}${chunks ? `, ${chunks} chunks` : ''}`;
}
