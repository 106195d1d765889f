/** Errors the Anaplan sink raises. Each message says what happened and what to do about it. */
import { ExitCode, PipeError, type PipeErrorOptions } from '@pipe/core';

export class AnaplanError extends PipeError {
  constructor(message: string, options: PipeErrorOptions = {}) {
    super(message, { code: 'ANAPLAN_ERROR', ...options });
  }
}

/** Anaplan refused the credentials (or the saved ones are missing). */
export class AnaplanAuthError extends AnaplanError {
  constructor(message: string, options: PipeErrorOptions = {}) {
    super(message, { code: 'ANAPLAN_AUTH_FAILED', ...options });
  }
}

/** A workspace, model, file, import or process name that matches nothing, or more than one thing. */
export class AnaplanNameError extends AnaplanError {
  constructor(message: string) {
    super(message, { code: 'ANAPLAN_UNKNOWN_NAME', exitCode: ExitCode.Usage });
  }
}

/** The data cannot fit Anaplan's limits (1000 chunks per file, 50 MB per chunk). */
export class AnaplanLimitError extends AnaplanError {
  constructor(message: string) {
    super(message, { code: 'ANAPLAN_LIMIT' });
  }
}

/** A chunk could not be uploaded after every retry; the upload was not marked complete. */
export class AnaplanChunkUploadError extends AnaplanError {
  constructor(
    readonly chunk: number,
    message: string,
    cause: unknown,
  ) {
    super(message, { code: 'ANAPLAN_CHUNK_FAILED', cause });
  }
}

/** The import or process ran but Anaplan reports it unsuccessful (or it was cancelled). */
export class AnaplanTaskFailedError extends AnaplanError {
  constructor(
    message: string,
    readonly failureDumpPaths: readonly string[],
  ) {
    super(message, { code: 'ANAPLAN_TASK_FAILED' });
  }
}
