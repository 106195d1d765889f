import { dirname } from 'node:path';
import { Flags } from '@oclif/core';
import type { LogLevel } from '@pipe/core';
import { ExitCode, PipeError } from '@pipe/core/errors';
import { pipelineFileFromText, resolvePipelineFile } from '@pipe/core/engine';
import { DEFAULT_LOCK_MS, PipelineWorker, planQueuedRun } from '@pipe/queue';
import { catalogFor } from '../load-project';
import { PipeCommand, type CommandOutcome } from '../pipe-command';
import { LOG_LEVELS } from '../project-logger';
import { openQueue, redisFlag, untilSignal } from '../queue-connection';
import { runQueuedPipeline } from '../queued-pipeline';

interface WorkerResult {
  readonly worker: string;
  readonly redis: string;
  readonly stoppedBy: string;
}

export default class Worker extends PipeCommand<WorkerResult> {
  static override summary = 'Run pipeline jobs from the queue until stopped.';
  static override description =
    'Takes pipeline jobs (from `pipe enqueue` and `pipe schedule`) from the queue in Redis and runs each as `pipe run FILE --pipeline NAME` would: ' +
    "same engine and plugins, this machine's environment variables, .env and saved credentials, logs in the file's state directory here. " +
    'Start as many workers as you like, on any machine that reaches Redis and the services; each Anaplan file is loaded by one job at a time across all of them.\n\n' +
    'SIGTERM or Ctrl-C: take no new jobs, finish the running ones, exit 0. A second signal stops the running jobs and hands them back to the queue for another worker. ' +
    'A worker that dies (even kill -9) loses nothing: after PIPE_QUEUE_LOCK_MS (default 30000) its jobs go to another worker, which starts them over.';

  static override examples = [
    {
      description: 'Four pipelines at a time from the queue at queue.internal',
      command: '<%= config.bin %> <%= command.id %> --redis redis://queue.internal:6379 --concurrency 4',
    },
    { description: 'With the URL in the environment', command: 'PIPE_REDIS_URL=redis://queue.internal:6379 <%= config.bin %> <%= command.id %>' },
  ];

  static override flags = {
    redis: redisFlag,
    concurrency: Flags.integer({ char: 'c', min: 1, max: 64, default: 1, description: 'Pipelines this worker runs at once.' }),
    name: Flags.string({ description: 'Name shown for this worker in `pipe queue` and the dashboard (default: HOST:PID).' }),
    'log-level': Flags.string({
      options: LOG_LEVELS,
      description: "Console log level of the pipelines' logs (default: the file's logs.consoleLevel, then warn).",
    }),
  };

  protected async execute(): Promise<CommandOutcome<WorkerResult>> {
    const { flags } = await this.parse(Worker);
    const lockMs = Number(process.env.PIPE_QUEUE_LOCK_MS ?? DEFAULT_LOCK_MS);
    if (!Number.isInteger(lockMs) || lockMs < 100) {
      throw new PipeError(`PIPE_QUEUE_LOCK_MS must be a whole number of milliseconds, at least 100 (default ${DEFAULT_LOCK_MS})`, { exitCode: ExitCode.Usage });
    }
    const queue = await openQueue(flags.redis, this.redactor);
    const say = (line: string) => process.stderr.write(`${this.redactor.redact(line)}\n`);
    const worker: PipelineWorker = new PipelineWorker(queue, {
      concurrency: flags.concurrency,
      name: flags.name,
      lockMs,
      say,
      runPipeline: (job, ctx) => runQueuedPipeline(job, ctx, { worker: worker.name, consoleLevel: flags['log-level'] as LogLevel | undefined }),
      planScheduledRun: async (data) => {
        const project = await resolvePipelineFile(pipelineFileFromText(data.file, data.text), catalogFor(dirname(data.file)));
        return planQueuedRun(project, data.text, { only: data.only });
      },
    });
    try {
      await worker.waitUntilReady();
      worker.start();
      say(`worker ${worker.name}: taking pipeline jobs from ${queue.server}, ${flags.concurrency} at a time; Ctrl-C or SIGTERM stops it`);
      const signal = await untilSignal((again) => {
        say(`${again}: stopping the running jobs and handing them back to the queue`);
        void worker.stop({ handBack: true });
      });
      say(`${signal}: taking no new jobs; finishing the running ones (a second signal hands them back)`);
      await worker.stop();
      return { result: { worker: worker.name, redis: queue.server, stoppedBy: signal }, exitCode: ExitCode.Ok };
    } finally {
      await queue.close();
    }
  }

  protected render(result: WorkerResult): string {
    return `worker ${result.worker} stopped (${result.stoppedBy})`;
  }
}
