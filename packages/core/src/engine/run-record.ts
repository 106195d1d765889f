/**
 * The record of the last run, kept in the state directory, so `pipe run --only-failed` can re-run
 * just the pipelines (and, for multi-document sources, the documents) that did not succeed.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { PipeError, ExitCode } from '../errors';
import { AtomicFile } from '../fs/atomic-file';
import type { RunOutcome } from './outcome';

export const RUN_RECORD = 'last-run.json';

export async function saveRunRecord(stateDir: string, run: RunOutcome): Promise<string> {
  const file = await AtomicFile.create(join(stateDir, RUN_RECORD));
  try {
    await file.write(Buffer.from(JSON.stringify(run, null, 2)));
    await file.commit();
  } finally {
    await file.discard();
  }
  return file.path;
}

export async function loadRunRecord(stateDir: string): Promise<RunOutcome> {
  try {
    return JSON.parse(await fs.readFile(join(stateDir, RUN_RECORD), 'utf8')) as RunOutcome;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new PipeError(`no earlier run is recorded in ${stateDir}; run without --only-failed first`, { code: 'NO_RUN_RECORD', exitCode: ExitCode.Usage });
  }
}

export interface RetrySelection {
  /** Pipelines to run again. */
  readonly pipelines: string[];
  /** For pipelines that failed only in some documents: those documents. */
  readonly documents: Record<string, string[]>;
}

/** What did not succeed last time: whole pipelines, or just their failed documents when the rest succeeded. */
export function failedSince(run: RunOutcome): RetrySelection {
  const pipelines: string[] = [];
  const documents: Record<string, string[]> = {};
  for (const p of run.pipelines) {
    if (p.status === 'succeeded') continue;
    pipelines.push(p.name);
    if (p.partial) documents[p.name] = p.documents.filter((d) => d.status !== 'succeeded').map((d) => d.id);
  }
  return { pipelines, documents };
}
