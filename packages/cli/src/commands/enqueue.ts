import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { ExitCode, PipeError } from '@pipe/core/errors';
import { failedSince, type PipelineOutcome, type RunOutcome } from '@pipe/core/engine';
import { planQueuedRun, queuedRunOutcome, RunStore, startQueuedRun, type PipeQueue, type RunPlan } from '@pipe/queue';
import { checkPipelineNames, loadProject } from '../load-project';
import { PipeCommand, type CommandOutcome } from '../pipe-command';
import { openQueue, redisFlag, untilSignal } from '../queue-connection';
import { ProgressDisplay } from '../render/progress-display';
import { renderRunReport, reportRun, type RunReport } from '../run-report';

interface Enqueued {
  readonly runId: string;
  readonly file: string;
  readonly redis: string;
  readonly pipelines: readonly string[];
}

type EnqueueResult = Enqueued | RunReport;

/** Between two looks at the run while waiting. */
const POLL_MS = Number(process.env.PIPE_QUEUE_POLL_MS ?? 250);

export default class Enqueue extends PipeCommand<EnqueueResult> {
  static override summary = "Put a pipeline file's pipelines on the queue, for workers to run.";
  static override description =
    'Validates FILE here (as `pipe validate` does), then queues one job per pipeline on Redis; `pipe worker`s anywhere take them. ' +
    'A pipeline starts once its needs have succeeded, whichever workers ran them; `retries:` starts a failed pipeline over, with backoff, on any worker. ' +
    "No secret goes to Redis: the run carries the file's text as written, and each worker fills ${VAR}s, .env and saved credentials from its own environment.\n\n" +
    'With --wait, follows the run to its end and reports it as `pipe run` does: the same summary, --json, --summary FILE and exit codes ' +
    '(0 all succeeded, 1 a pipeline failed, 2 invalid file or usage). Ctrl-C stops waiting (exit 130); the run goes on.';

  static override examples = [
    {
      description: 'Queue every pipeline of nightly.yml and wait for the result',
      command: '<%= config.bin %> <%= command.id %> nightly.yml --redis redis://queue.internal:6379 --wait',
    },
    { description: 'Queue one pipeline, do not wait', command: '<%= config.bin %> <%= command.id %> nightly.yml --pipeline sales' },
    { description: "Re-queue what failed in the file's last queued run", command: '<%= config.bin %> <%= command.id %> nightly.yml --only-failed --wait' },
  ];

  static override args = {
    file: Args.string({ description: 'Pipeline file (YAML). Default: found the cosmiconfig way from the current directory.' }),
  };

  static override flags = {
    pipeline: Flags.string({
      char: 'p',
      multiple: true,
      description: 'Queue only this pipeline (repeatable); its needs outside the selection are taken as met.',
    }),
    'only-failed': Flags.boolean({
      description: "Queue only the pipelines, and the reports of multi-report sources, that failed in the file's last queued run.",
      exclusive: ['pipeline'],
    }),
    redis: redisFlag,
    wait: Flags.boolean({ char: 'w', description: 'Wait for the run to end; report and exit as `pipe run` does.' }),
    summary: Flags.string({ description: 'With --wait: also write the run summary as CSV to this file.', dependsOn: ['wait'] }),
    quiet: Flags.boolean({ char: 'q', description: 'With --wait: no progress lines, only the summary.' }),
  };

  protected async execute(): Promise<CommandOutcome<EnqueueResult>> {
    const { args, flags } = await this.parse(Enqueue);
    const project = await loadProject(args.file, this.redactor);
    checkPipelineNames(project, flags.pipeline);
    const queue = await openQueue(flags.redis, this.redactor, project.queue?.redis);
    try {
      let only = flags.pipeline;
      let documents: Record<string, string[]> | undefined;
      if (flags['only-failed']) {
        const selection = failedSince(await lastQueuedRun(queue, project.file));
        only = selection.pipelines.filter((name) => project.pipelines.some((p) => p.name === name));
        documents = selection.documents;
        if (only.length === 0) process.stderr.write('Nothing failed in the last queued run; nothing to do.\n');
      }
      const plan = planQueuedRun(project, readFileSync(project.file, 'utf8'), { only, documents });
      await startQueuedRun(queue, plan);
      if (!flags.wait) {
        const names = plan.pipelines.map((p) => p.name);
        return { result: { runId: plan.runId, file: plan.file, redis: queue.server, pipelines: names }, exitCode: ExitCode.Ok };
      }
      const outcome = await this.follow(queue, plan, flags.quiet);
      if (!outcome) {
        process.stderr.write(`Stopped waiting; run ${plan.runId} goes on on the workers (pipe queue shows it).\n`);
        return {
          result: { runId: plan.runId, file: plan.file, redis: queue.server, pipelines: plan.pipelines.map((p) => p.name) },
          exitCode: ExitCode.Interrupted,
        };
      }
      const clean = this.clean(outcome);
      const report = await reportRun(clean, { summary: flags.summary, logFiles: [], logNote: "Logs: on each worker, in the file's state directory there" });
      return { result: report, exitCode: clean.exitCode };
    } finally {
      await queue.close();
    }
  }

  /** Polls the run until every pipeline has ended (its outcome), or a signal stops the waiting (undefined). */
  private async follow(queue: PipeQueue, plan: RunPlan, quiet: boolean): Promise<RunOutcome | undefined> {
    const store = new RunStore(queue.redis);
    const display = quiet
      ? undefined
      : new ProgressDisplay({
          write: (text) => process.stderr.write(this.redactor.redact(text)),
          tty: false,
          intervalMs: Number(process.env.PIPE_PROGRESS_INTERVAL_MS ?? 10_000),
        });
    let interrupted = false;
    void untilSignal().then(() => (interrupted = true));
    const shownStart = new Set<string>();
    const shownEnd = new Set<string>();
    display?.start();
    try {
      for (;;) {
        const { started, outcomes } = await store.progress(plan.runId);
        for (const p of plan.pipelines) {
          if (started.has(p.name) && !shownStart.has(p.name)) {
            shownStart.add(p.name);
            display?.pipelineStarted(p.name);
          }
          const ended: PipelineOutcome | undefined = outcomes.get(p.name);
          if (ended && !shownEnd.has(p.name)) {
            shownEnd.add(p.name);
            display?.pipelineEnded(ended);
          }
        }
        const outcome = queuedRunOutcome(plan, outcomes);
        if (outcome) return outcome;
        if (interrupted) return undefined;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      display?.stop();
    }
  }

  protected render(result: EnqueueResult): string {
    if ('exitCode' in result) return renderRunReport(result);
    const count = `${result.pipelines.length} pipeline${result.pipelines.length === 1 ? '' : 's'}`;
    return `Queued run ${result.runId} of ${result.file}: ${count}${result.pipelines.length ? ` (${result.pipelines.join(', ')})` : ''} on ${result.redis}.\nFollow it with: pipe queue`;
  }
}

/** The file's last queued run, which must have ended, as a run record. */
async function lastQueuedRun(queue: PipeQueue, file: string): Promise<RunOutcome> {
  const store = new RunStore(queue.redis);
  const runId = await store.lastRunId(file);
  const plan = runId ? await store.plan(runId) : undefined;
  if (!runId || !plan) {
    throw new PipeError(`no earlier queued run of ${file} is recorded on ${queue.server}; enqueue without --only-failed first`, {
      code: 'NO_RUN_RECORD',
      exitCode: ExitCode.Usage,
    });
  }
  const outcome = queuedRunOutcome(plan, await store.outcomes(runId));
  if (!outcome) {
    throw new PipeError(`the last queued run of ${file} (${runId}) has not ended yet; wait for it (pipe queue), then re-queue what failed`, {
      code: 'RUN_NOT_ENDED',
      exitCode: ExitCode.Usage,
    });
  }
  return outcome;
}
