import { Args, Flags } from '@oclif/core';
import { ExitCode, newRunId, planRun, runPipelines, StreamLogger, type RunOutcome, type RunPlan } from '@pipe/core';
import { loadProject } from '../load-project';
import { PipeCommand, type CommandOutcome } from '../pipe-command';
import { renderPlan } from '../render/plan';
import { renderRunSummary } from '../render/run-summary';

type RunResult = RunOutcome | RunPlan;

export default class Run extends PipeCommand<RunResult> {
  static override summary = 'Run the pipelines of a pipeline file.';
  static override description =
    'Loads and validates FILE (or the pipeline file found in the current directory: pipe.yml, .piperc.yaml, ' +
    'the "pipe" key of package.json, ...), then runs its pipelines in `needs:` order, independent ones in parallel.\n\n' +
    'Exit codes: 0 every pipeline succeeded; 1 a pipeline failed (a partial success is a failure); ' +
    '2 invalid pipeline file or usage; 130 interrupted (Ctrl-C, SIGTERM).';

  static override examples = [
    { description: 'Run every pipeline in nightly.yml', command: '<%= config.bin %> <%= command.id %> nightly.yml' },
    { description: 'Run one pipeline (its needs are taken as met)', command: '<%= config.bin %> <%= command.id %> nightly.yml --pipeline sales' },
    { description: 'Validate and show the plan without moving data', command: '<%= config.bin %> <%= command.id %> nightly.yml --dry-run' },
    { description: 'Machine-readable result for a scheduler', command: '<%= config.bin %> <%= command.id %> nightly.yml --json > result.json' },
  ];

  static override args = {
    file: Args.string({ description: 'Pipeline file (YAML). Default: found the cosmiconfig way from the current directory.' }),
  };

  static override flags = {
    pipeline: Flags.string({ char: 'p', multiple: true, description: 'Run only this pipeline (repeatable).' }),
    'dry-run': Flags.boolean({ description: 'Validate and print the plan (pipelines, order, plugins, non-secret config); move no data.' }),
    verbose: Flags.boolean({ char: 'v', description: 'Log every step, including each HTTP call (method, URL, status; credentials redacted).' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print only warnings, errors and the summary.' }),
  };

  protected async execute(): Promise<CommandOutcome<RunResult>> {
    const { args, flags } = await this.parse(Run);
    const project = await loadProject(args.file, this.redactor);
    const unknown = (flags.pipeline ?? []).filter((name) => !project.pipelines.some((p) => p.name === name));
    if (unknown.length) {
      this.error(`no pipeline named ${unknown.join(', ')} in ${project.file}; pipelines: ${project.pipelines.map((p) => p.name).join(', ')}`, { exit: ExitCode.Usage });
    }
    if (flags['dry-run']) return { result: planRun(project, this.redactor, flags.pipeline), exitCode: ExitCode.Ok };

    const controller = new AbortController();
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) process.exit(ExitCode.Interrupted);
      process.stderr.write(`\n${signal}: stopping; cleaning up (press Ctrl-C again to quit at once)\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const human = !this.jsonEnabled() && !flags.quiet;
    const log = new StreamLogger({ level: flags.verbose ? 'debug' : 'warn', secrets: this.redactor, fields: {} });
    try {
      const outcome = await runPipelines(project, {
        only: flags.pipeline,
        signal: controller.signal,
        log,
        secrets: this.redactor,
        runId: newRunId(),
        onPipelineStart: (name) => human && process.stderr.write(`> ${name}: started\n`),
        onPipelineEnd: (o) => human && process.stderr.write(`> ${o.name}: ${o.status}${o.error ? ` - ${this.redactor.redact(o.error)}` : ''}\n`),
      });
      return { result: outcome, exitCode: outcome.exitCode };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  protected render(result: RunResult): string {
    return 'runId' in result ? renderRunSummary(result) : renderPlan(result);
  }
}
