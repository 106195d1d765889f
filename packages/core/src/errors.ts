/**
 * Errors users see. Each carries a code, a message that says what to fix, and the exit code the
 * CLI maps it to: 0 success, 1 a pipeline failed, 2 invalid configuration or usage, 130 interrupted.
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  Interrupted: 130,
} as const;

export interface PipeErrorOptions {
  code?: string;
  exitCode?: number;
  cause?: unknown;
}

export class PipeError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, options: PipeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'PIPE_ERROR';
    this.exitCode = options.exitCode ?? ExitCode.Failed;
  }
}

/** A failure inside one plugin of one pipeline; the message names both. */
export class PluginError extends PipeError {
  constructor(
    readonly pipeline: string,
    readonly plugin: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`pipeline "${pipeline}", plugin "${plugin}": ${reason}`, {
      code: cause instanceof PipeError ? cause.code : 'PLUGIN_FAILED',
      exitCode: cause instanceof PipeError && cause.exitCode === ExitCode.Interrupted ? ExitCode.Interrupted : ExitCode.Failed,
      cause,
    });
  }
}

export class InterruptedError extends PipeError {
  constructor(message = 'interrupted') {
    super(message, { code: 'INTERRUPTED', exitCode: ExitCode.Interrupted });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
