/**
 * The record of a pipeline file's last run, kept in the state directory, so `pipe run --only-failed`
 * can re-run just the pipelines (and, for multi-document sources, the documents) that did not
 * succeed. One record per pipeline file, named from a hash of its absolute path: two files in one
 * folder (even with the same pipeline names) never read each other's runs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, promises as fs, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PipeError, ExitCode } from '../errors';
import { AtomicFile } from '../fs/atomic-file';
import type { RunOutcome } from './outcome';

/** Where records written before they were kept per file lived; read only when it is this file's. */
const SHARED_RECORD = 'last-run.json';

/** `<stateDir>/last-run/<file name>.<hash of its absolute path>.json` */
export function runRecordPath(stateDir: string, pipelineFile: string): string {
  const path = resolve(pipelineFile);
  const key = createHash('sha256').update(path).digest('hex').slice(0, 16);
  return join(stateDir, 'last-run', `${basename(path)}.${key}.json`);
}

export async function saveRunRecord(stateDir: string, run: RunOutcome): Promise<string> {
  const file = await AtomicFile.create(runRecordPath(stateDir, run.file));
  try {
    await file.write(Buffer.from(JSON.stringify(run, null, 2)));
    // Atomic, not durable: an fsync here waits for the filesystem's journal, which holds the run's
    // whole output (0.4 s after a 600 MB download). After a power cut the worst is the run before's
    // record, and --only-failed re-runs a little more.
    await file.commit({ durable: false });
  } finally {
    await file.discard();
  }
  return file.path;
}

/** For a process about to exit at once (a second Ctrl-C): no awaiting, still never a torn file. */
export function saveRunRecordSync(stateDir: string, run: RunOutcome): string {
  const path = runRecordPath(stateDir, run.file);
  mkdirSync(join(stateDir, 'last-run'), { recursive: true });
  const temp = `${path}.${process.pid}.pipe-partial`;
  writeFileSync(temp, JSON.stringify(run, null, 2));
  renameSync(temp, path);
  return path;
}

async function readRecord(path: string): Promise<RunOutcome | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as RunOutcome;
  } catch {
    // Left empty by a power cut before the kernel wrote it (the record is not fsynced).
    throw new PipeError(`the record of the last run, ${path}, cannot be read (${text.length} bytes, not JSON); run without --only-failed`, {
      code: 'NO_RUN_RECORD',
      exitCode: ExitCode.Usage,
    });
  }
}

export async function loadRunRecord(stateDir: string, pipelineFile: string): Promise<RunOutcome> {
  const file = resolve(pipelineFile);
  const own = await readRecord(runRecordPath(stateDir, file));
  if (own?.file === file) return own;
  const shared = await readRecord(join(stateDir, SHARED_RECORD));
  if (shared?.file === file) return shared;
  throw new PipeError(`no earlier run of ${file} is recorded in ${stateDir}; run without --only-failed first`, {
    code: 'NO_RUN_RECORD',
    exitCode: ExitCode.Usage,
  });
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
