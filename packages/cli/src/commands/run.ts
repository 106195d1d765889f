import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { LogLevel } from '@pipe/core';
import { errorMessage, ExitCode } from '@pipe/core/errors';
import {
  failedSince,
  loadRunRecord,
  newRunId,
  planRun,
  runPipelines,
  saveRunRecord,
  saveRunRecordSync,
  type RunOutcome,
  type RunPlan,
} from '@pipe/core/engine';
import { checkPipelineNames, loadProject } from '../load-project';
import { PipeCommand, type CommandOutcome } from '../pipe-command';
import { LOG_LEVELS, projectLogger } from '../project-logger';
import { renderPlan } from '../render/plan';
import { ProgressDisplay } from '../render/progress-display';
import { renderRunReport, reportRun, type RunReport } from '../run-report';
import { RunWatch } from '../run-watch';
import { reportingWarnings } from '../warning-log';

type RunResult = RunReport | RunPlan;

export default class Run extends PipeCommand<RunResult> {
  static override summary = 'Run the pipelines of a pipeline file.';
  static override description =
    'Loads and validates FILE (or the pipeline file found in the current directory: pipe.yml, .piperc.yaml, ' +
    'the "pipe" key of package.json, ...), then runs its pipelines in `needs:` order, independent ones in parallel.\n\n' +
    'Logs go to a rotating file (default .pipe/logs/pipe.N.log beside the pipeline file, 3 files of 1,000,000 bytes, at debug) ' +
    'and to the console at warn; the `logs:` section of the pipeline file and the flags below change that. ' +
    'Each run is recorded in the state directory (default .pipe), one record per pipeline file, so --only-failed can re-run what failed; ' +
    'a run that is interrupted or crashes is recorded too.\n\n' +
    'Exit codes: 0 every pipeline succeeded; 1 a pipeline failed (a partial success is a failure, and so is a plugin error thrown outside the data flow); ' +
    '2 invalid pipeline file or usage; 130 interrupted (Ctrl-C, SIGTERM).';

  static override examples = [
    { description: 'Run every pipeline in nightly.yml', command: '<%= config.bin %> <%= command.id %> nightly.yml' },
    { description: 'Run one pipeline (its needs are taken as met)', command: '<%= config.bin %> <%= command.id %> nightly.yml --pipeline sales' },
    { description: 'Validate and show the plan without moving data', command: '<%= config.bin %> <%= command.id %> nightly.yml --dry-run' },
    { description: 'Re-run only what failed last night', command: '<%= config.bin %> <%= command.id %> nightly.yml --only-failed' },
    {
      description: 'From cron: machine-readable result, CSV summary',
      command: '<%= config.bin %> <%= command.id %> nightly.yml --json --summary runs/summary.csv > runs/result.json',
    },
  ];

  static override args = {
    file: Args.string({ description: 'Pipeline file (YAML). Default: found the cosmiconfig way from the current directory.' }),
  };

  static override flags = {
    pipeline: Flags.string({ char: 'p', multiple: true, description: 'Run only this pipeline (repeatable).' }),
    'only-failed': Flags.boolean({
      description: 'Re-run only the pipelines, and the reports of multi-report sources, that failed in the last run.',
      exclusive: ['pipeline'],
    }),
    'dry-run': Flags.boolean({ description: 'Validate and print the plan (pipelines, order, plugins, non-secret config); move no data.' }),
    summary: Flags.string({ description: 'Also write the run summary as CSV to this file (one row per pipeline, or per report).' }),
    verbose: Flags.boolean({ char: 'v', description: 'Console log at debug: every step, including each HTTP call (credentials redacted).' }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output; only warnings, errors and the summary.' }),
    'log-level': Flags.string({ options: LOG_LEVELS, description: 'Console log level (default warn).' }),
    'log-file': Flags.string({ description: 'Log file path without number (default: <stateDir>/logs/pipe).' }),
    'log-file-level': Flags.string({ options: LOG_LEVELS, description: 'Log file level (default debug).' }),
  };

  protected async execute(): Promise<CommandOutcome<RunResult>> {
    const { args, flags } = await this.parse(Run);
    const project = await loadProject(args.file, this.redactor);
    checkPipelineNames(project, flags.pipeline);
    let only = flags.pipeline;
    let documents: Record<string, string[]> | undefined;
    if (flags['only-failed']) {
      const selection = failedSince(await loadRunRecord(project.stateDir, project.file));
      only = selection.pipelines.filter((name) => project.pipelines.some((p) => p.name === name));
      documents = selection.documents;
      if (only.length === 0) process.stderr.write('Nothing failed in the last run; nothing to do.\n');
    }
    if (flags['dry-run']) return { result: planRun(project, this.redactor, only), exitCode: ExitCode.Ok };

    const runId = newRunId();
    const logger = await projectLogger(project, runId, this.redactor, {
      file: flags['log-file'] ? resolve(flags['log-file']) : undefined,
      fileLevel: flags['log-file-level'] as LogLevel | undefined,
      consoleLevel: (flags['log-level'] ?? (flags.verbose ? 'debug' : undefined)) as LogLevel | undefined,
    });
    const display = flags.quiet
      ? undefined
      : new ProgressDisplay({
          write: (text) => process.stderr.write(this.redactor.redact(text)),
          tty: Boolean(process.stderr.isTTY) && !this.jsonEnabled(),
          intervalMs: Number(process.env.PIPE_PROGRESS_INTERVAL_MS ?? 10_000),
        });

    const controller = new AbortController();
    const selected = only ?? project.pipelines.map((p) => p.name);
    const watch = new RunWatch({
      runId,
      file: project.file,
      pipelines: selected,
      controller,
      log: logger,
      redact: (text) => this.redactor.redact(text),
      saveNow: (record) => saveRunRecordSync(project.stateDir, this.clean(record)),
    });
    display?.start();
    try {
      logger.info(`run started: ${project.file}`, { pipelines: selected });
      let outcome: RunOutcome;
      try {
        outcome = await runPipelines(project, {
          only,
          documents,
          signal: controller.signal,
          log: reportingWarnings(logger, (warning) => this.warnings.push(warning)),
          secrets: this.redactor,
          runId,
          onPipelineStart: (name) => {
            watch.pipelineStarted(name);
            logger.info('pipeline started', { pipeline: name });
            display?.pipelineStarted(name);
          },
          onProgress: (pipeline, plugin, counts) => display?.update(pipeline, plugin, counts),
          onPipelineEnd: (o) => {
            watch.pipelineEnded(o);
            logger[o.status === 'succeeded' ? 'info' : 'error'](`pipeline ${o.status}`, {
              pipeline: o.name,
              error: o.error,
              bytes: o.bytes,
              durationMs: o.durationMs,
            });
            display?.pipelineEnded(o);
          },
        });
      } catch (error) {
        // A run that breaks still leaves its record, so --only-failed knows what to re-run.
        await saveRunRecord(project.stateDir, this.clean(watch.recordSoFar('failed', errorMessage(error))));
        throw error;
      }
      outcome = watch.settle(outcome);
      const clean = this.clean(outcome);
      await saveRunRecord(project.stateDir, clean);
      const report = await reportRun(clean, { summary: flags.summary, logFiles: logger.files() });
      logger.info(`run ${outcome.status}`, { exitCode: outcome.exitCode, durationMs: outcome.durationMs });
      return { result: report, exitCode: outcome.exitCode };
    } finally {
      watch.finish();
      display?.stop();
      await logger.close();
    }
  }

  protected render(result: RunResult): string {
    return 'runId' in result ? renderRunReport(result) : renderPlan(result);
  }
}
