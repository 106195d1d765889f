/** Problems in a pipeline file, each pointing at file, line, column and key path. Exit code 2. */
import { PipeError, ExitCode } from '../errors';

export interface ConfigIssue {
  readonly file: string;
  /** 1-based; 0 when the position is unknown. */
  readonly line: number;
  readonly column: number;
  /** Dotted key path, e.g. `pipelines.sales.sink.with.chunkSize`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export class ConfigError extends PipeError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'), { code: 'INVALID_CONFIG', exitCode: ExitCode.Usage });
  }
}
