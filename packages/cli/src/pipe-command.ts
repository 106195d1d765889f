/**
 * The base of every pipe command (the sf-plugins-core pattern): `run()` returns data, and this
 * class decides how it is shown. With `--json`, stdout holds exactly one JSON document
 * `{ status, exitCode, warnings, result | error }`; human output goes to stderr. Errors map to exit
 * codes (1 failed, 2 invalid configuration or usage, 130 interrupted) and pass through the redactor.
 *
 * It loads no more of @pipe/core than the errors and the redactor: every command imports it, and
 * `pipe help` or `pipe auth list` should not pay for the schema compiler or the engine.
 */
import { Command, Flags } from '@oclif/core';
import type { ConfigIssue } from '@pipe/core/engine';
import { ConfigError } from '@pipe/core/config-error';
import { ExitCode, PipeError } from '@pipe/core/errors';
import { Redactor } from '@pipe/core/redactor';

export interface CommandOutcome<T> {
  readonly result: T;
  readonly exitCode: number;
}

/** The one status vocabulary of `--json`, one word per exit code. */
export type CommandStatus = 'ok' | 'failed' | 'invalid' | 'interrupted';

export function statusOf(exitCode: number): CommandStatus {
  if (exitCode === ExitCode.Ok) return 'ok';
  if (exitCode === ExitCode.Usage) return 'invalid';
  if (exitCode === ExitCode.Interrupted) return 'interrupted';
  return 'failed';
}

export abstract class PipeCommand<T> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    // Replaces oclif's own --json flag, to say what the document holds.
    json: Flags.boolean({
      helpGroup: 'GLOBAL',
      description:
        'Print one JSON document on stdout: {status, exitCode, warnings, result} or {status, exitCode, warnings, error}. ' +
        'status is ok (exit 0), failed (1), invalid (2: invalid pipeline file or usage) or interrupted (130); ' +
        'warnings lists what the command warned about (also printed on stderr without --json).',
    }),
  };

  /** Secrets met while running: every output passes through it. */
  protected readonly redactor = new Redactor();

  /** What the command warned about, for the `warnings` of `--json`. */
  protected readonly warnings: string[] = [];

  protected abstract execute(): Promise<CommandOutcome<T>>;

  /** Human-readable output of a successful (or failed-pipeline) result. */
  protected abstract render(result: T): string;

  async run(): Promise<unknown> {
    const { result, exitCode } = await this.execute();
    process.exitCode = exitCode;
    if (this.jsonEnabled()) return this.clean({ status: statusOf(exitCode), exitCode, warnings: this.warnings, result });
    const text = this.render(result);
    if (text) process.stdout.write(`${this.redactor.redact(text)}\n`);
    return undefined;
  }

  /** Records a warning for `--json`, and prints it on stderr as `warning: ...` unless `--json` is on. */
  override warn(input: string | Error): string | Error {
    const text = typeof input === 'string' ? input : input.message;
    this.warnings.push(text);
    if (!this.jsonEnabled()) process.stderr.write(`warning: ${this.redactor.redact(text)}\n`);
    return input;
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
      const envelope = { status: statusOf(exitCode), exitCode, warnings: this.warnings, error: { code: error.code ?? 'ERROR', message, issues } };
      this.logJson(this.clean(envelope));
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
