import { Args } from '@oclif/core';
import { ExitCode } from '@pipe/core/errors';
import { loadProject } from '../load-project';
import { PipeCommand, type CommandOutcome } from '../pipe-command';

interface ValidateResult {
  readonly file: string;
  readonly pipelines: readonly string[];
}

export default class Validate extends PipeCommand<ValidateResult> {
  static override summary = 'Check a pipeline file without running it.';
  static override description =
    'Reports every problem at once, each with file, line, column and key path: YAML syntax, unknown plugins (with the available ones), ' +
    'unknown or missing keys, wrong types, bad sizes, missing environment variables, cycles in needs. Exit code 2 when invalid.';
  static override examples = ['<%= config.bin %> <%= command.id %> nightly.yml', '<%= config.bin %> <%= command.id %> --json'];
  static override args = { file: Args.string({ description: 'Pipeline file. Default: found the cosmiconfig way.' }) };

  protected async execute(): Promise<CommandOutcome<ValidateResult>> {
    const { args } = await this.parse(Validate);
    const project = await loadProject(args.file, this.redactor);
    return { result: { file: project.file, pipelines: project.pipelines.map((p) => p.name) }, exitCode: ExitCode.Ok };
  }

  protected render(result: ValidateResult): string {
    return `${result.file} is valid: ${result.pipelines.length} pipeline${result.pipelines.length === 1 ? '' : 's'} (${result.pipelines.join(', ')})`;
  }
}
