/**
 * Runs the pipelines of a file in `needs:` order, independent ones in parallel up to the file's
 * `concurrency`. A failed pipeline skips every pipeline that needs it, directly or not; the others
 * finish. A pipeline with `retries:` starts over from the first byte after a failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../errors';
import type { ResolvedPipeline, ResolvedPipelineFile } from '../config/resolve-pipeline-file';
import type { Logger, SecretRegistry } from '../plugin/context';
import type { PipelineOutcome, RunOutcome } from './outcome';
import { runPipeline, type PipelineRunOptions } from './run-pipeline';

export interface RunOptions {
  /** Run only these pipelines (their `needs` outside the selection are taken as met). */
  readonly only?: readonly string[];
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly secrets: SecretRegistry;
  readonly runId?: string;
  readonly onProgress?: PipelineRunOptions['onProgress'];
  /** Per pipeline, only these documents (see PluginContext.selectDocuments). */
  readonly documents?: Readonly<Record<string, readonly string[]>>;
  readonly onPipelineStart?: (name: string) => void;
  readonly onPipelineEnd?: (outcome: PipelineOutcome) => void;
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function runPipelines(file: ResolvedPipelineFile, options: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const runId = options.runId ?? newRunId();
  const runDir = join(file.stateDir, 'runs', runId);
  mkdirSync(runDir, { recursive: true });
  const selected = file.pipelines.filter((p) => !options.only || options.only.includes(p.name));
  const selectedNames = new Set(selected.map((p) => p.name));
  const outcomes = new Map<string, PipelineOutcome>();
  const running = new Map<string, Promise<void>>();

  const skip = (p: ResolvedPipeline, reason: string) =>
    outcomes.set(p.name, { name: p.name, status: 'skipped', error: reason, durationMs: 0, attempts: 0, bytes: 0, documents: [], progress: {} });

  const start = (p: ResolvedPipeline) => {
    options.onPipelineStart?.(p.name);
    const task = (async () => {
      let outcome: PipelineOutcome | undefined;
      for (let attempt = 1; attempt <= p.retries + 1; attempt++) {
        const docs = options.documents?.[p.name];
        outcome = await runPipeline(p, {
          runId,
          runDir,
          cwd: file.dir,
          signal: options.signal,
          log: options.log,
          secrets: options.secrets,
          onProgress: options.onProgress,
          selectDocuments: docs ? new Set(docs) : undefined,
        });
        outcome = { ...outcome, attempts: attempt };
        if (outcome.status !== 'failed' || options.signal.aborted) break;
        if (attempt <= p.retries) options.log.warn(`pipeline "${p.name}" failed; starting over (attempt ${attempt + 1} of ${p.retries + 1})`, { error: outcome.error });
      }
      outcomes.set(p.name, outcome!);
      options.onPipelineEnd?.(outcome!);
    })().finally(() => running.delete(p.name));
    running.set(p.name, task);
  };

  for (;;) {
    let progressed = false;
    for (const p of selected) {
      if (outcomes.has(p.name) || running.has(p.name)) continue;
      const needs = p.needs.filter((n) => selectedNames.has(n));
      const blocked = needs.find((n) => outcomes.has(n) && outcomes.get(n)!.status !== 'succeeded');
      if (blocked || options.signal.aborted) {
        skip(p, options.signal.aborted ? 'interrupted before it started' : `needs "${blocked}", which ${outcomes.get(blocked!)!.status === 'skipped' ? 'was skipped' : 'failed'}`);
        options.onPipelineEnd?.(outcomes.get(p.name)!);
        progressed = true;
        continue;
      }
      if (needs.every((n) => outcomes.get(n)?.status === 'succeeded') && running.size < file.concurrency) {
        start(p);
        progressed = true;
      }
    }
    if (outcomes.size === selected.length) break;
    if (!progressed) await Promise.race(running.values());
  }

  const ordered = selected.map((p) => outcomes.get(p.name)!);
  const interrupted = options.signal.aborted || ordered.some((o) => o.status === 'interrupted');
  const failed = ordered.some((o) => o.status !== 'succeeded');
  return {
    runId,
    file: file.file,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    status: interrupted ? 'interrupted' : failed ? 'failed' : 'succeeded',
    exitCode: interrupted ? ExitCode.Interrupted : failed ? ExitCode.Failed : ExitCode.Ok,
    pipelines: ordered,
  };
}
