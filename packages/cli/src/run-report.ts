/**
 * How a run ends for the person who started it, whether it ran here (`pipe run`) or on workers
 * (`pipe enqueue --wait`): the CSV summary when asked for, the result `--json` prints, and the
 * table with where the log and summary went. The exit code is the run's own.
 */
import { resolve } from 'node:path';
import { AtomicFile } from '@pipe/core';
import { type RunOutcome } from '@pipe/core/engine';
import { renderRunSummary } from './render/run-summary';
import { summaryCsv } from './render/summary-csv';

export type RunReport = RunOutcome & {
  readonly logFiles: string[];
  /** Where the logs are when they are not here (a queued run: on each worker). */
  readonly logNote?: string;
  readonly summaryFile?: string;
};

/** `outcome` must already be redacted. Writes `--summary FILE` when given. */
export async function reportRun(outcome: RunOutcome, options: { summary?: string; logFiles: string[]; logNote?: string }): Promise<RunReport> {
  let summaryFile: string | undefined;
  if (options.summary) {
    const file = await AtomicFile.create(resolve(options.summary));
    await file.write(Buffer.from(summaryCsv(outcome)));
    await file.commit();
    summaryFile = file.path;
  }
  return { ...outcome, logFiles: options.logFiles, logNote: options.logNote, summaryFile };
}

export function renderRunReport(report: RunReport): string {
  const log = report.logFiles.length ? `Log: ${report.logFiles[report.logFiles.length - 1]}` : (report.logNote ?? '');
  const where = [log, report.summaryFile ? `Summary: ${report.summaryFile}` : ''].filter(Boolean);
  return [renderRunSummary(report), ...where].join('\n');
}
