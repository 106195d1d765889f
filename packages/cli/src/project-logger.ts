/**
 * A run's logger as the pipeline file's `logs:` block sets it up, for `pipe run` and for each job a
 * worker runs: a rotating file (default `<stateDir>/logs/pipe`, at debug) and the console (at
 * warn). What a command's flags say wins over the file.
 */
import { join, resolve } from 'node:path';
import type { LogLevel, Redactor } from '@pipe/core';
import { createRunLogger, type ResolvedPipelineFile, type RunLogger } from '@pipe/core/engine';

/** The levels the `--log-level` flags offer. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

export interface LogOverrides {
  /** Log file path without its number, already absolute. */
  readonly file?: string;
  readonly fileLevel?: LogLevel;
  readonly consoleLevel?: LogLevel;
}

export function projectLogger(project: ResolvedPipelineFile, runId: string, secrets: Redactor, overrides: LogOverrides = {}): Promise<RunLogger> {
  const logs = project.logs ?? {};
  return createRunLogger({
    runId,
    secrets,
    file: overrides.file ?? (logs.file ? resolve(project.dir, logs.file) : join(project.stateDir, 'logs', 'pipe')),
    fileLevel: overrides.fileLevel ?? logs.level ?? 'debug',
    consoleLevel: overrides.consoleLevel ?? logs.consoleLevel ?? 'warn',
    maxBytes: logs.maxBytes,
    maxFiles: logs.maxFiles,
  });
}
