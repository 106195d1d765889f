/**
 * The base of every pipe command (the sf-plugins-core pattern): `run()` returns data, and this
 * class decides how it is shown. With `--json`, stdout holds exactly one JSON document
 * `{ status, exitCode, result | error }`; human output goes to stderr. Errors map to exit codes
 * (1 failed, 2 invalid configuration or usage, 130 interrupted) and pass through the redactor.
 */
import { Command } from '@oclif/core';
import { ConfigError, ExitCode, PipeError, Redactor, type ConfigIssue } from '@pipe/core';

export interface CommandOutcome<T> {
  readonly result: T;
  readonly exitCode: number;
}

export abstract class PipeCommand<T> extends Command {
  static override enableJsonFlag = true;

  /** Secrets met while running: every output passes through it. */
  protected readonly redactor = new Redactor();

  protected abstract execute(): Promise<CommandOutcome<T>>;

  /** Human-readable output of a successful (or failed-pipeline) result. */
  protected abstract render(result: T): string;

  async run(): Promise<unknown> {
    const { result, exitCode } = await this.execute();
    process.exitCode = exitCode;
    if (this.jsonEnabled()) return this.clean({ status: exitCode === 0 ? 'ok' : 'failed', exitCode, result });
    const text = this.render(result);
    if (text) process.stdout.write(`${this.redactor.redact(text)}\n`);
    return undefined;
  }

  protected override toSuccessJson(result: unknown): unknown {
    return result;
  }

  protected override async catch(error: Error & { oclif?: { exit?: number }; code?: string }): Promise<void> {
    const exitCode = error instanceof PipeError ? error.exitCode : (error.oclif?.exit ?? ExitCode.Failed);
    process.exitCode = exitCode;
    const issues: readonly ConfigIssue[] | undefined = error instanceof ConfigError ? error.issues : undefined;
    const message = this.redactor.redact(error.message);
    if (this.jsonEnabled()) {
      this.logJson(this.clean({ status: 'error', exitCode, error: { code: error.code ?? 'ERROR', message, issues } }));
      return;
    }
    const heading = issues ? `Invalid pipeline file (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` : 'Error: ';
    process.stderr.write(`${heading}${message}\n`);
    const verbose = process.env.PIPE_DEBUG || this.argv.includes('--verbose') || this.argv.includes('-v');
    if (!(error instanceof PipeError) && !error.oclif && verbose) process.stderr.write(`${error.stack}\n`);
  }

  /** A deep copy with every registered secret scrubbed. */
  protected clean<V>(value: V): V {
    return JSON.parse(this.redactor.redact(JSON.stringify(value))) as V;
  }
}
