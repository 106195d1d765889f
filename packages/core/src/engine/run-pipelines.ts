/**
 * Runs the pipelines of a file in `needs:` order, independent ones in parallel up to the file's
 * `concurrency`. A failed pipeline skips every pipeline that needs it, directly or not; the others
 * finish. A pipeline with `retries:` starts over from the first byte after a failure.
 *
 * Pipelines whose sinks share a target (see SinkPlugin.targets) take turns in file order,
 * whatever `concurrency` says: each holds its targets' lease from before its first byte until it
 * ends, retries included.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../errors';
import type { ResolvedPipeline, ResolvedPipelineFile } from '../config/resolve-pipeline-file';
import { InProcessTargetLocks, type TargetLease, type TargetLocks } from '../locks/target-locks';
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
  /** Where target leases are held; default: this run's own. A shared store serialises across runs and machines. */
  readonly locks?: TargetLocks;
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
  const locks = options.locks ?? new InProcessTargetLocks();
  const turns = targetTurns(selected);

  const skip = (p: ResolvedPipeline, reason: string) =>
    outcomes.set(p.name, { name: p.name, status: 'skipped', error: reason, durationMs: 0, attempts: 0, bytes: 0, documents: [], progress: {} });

  const start = (p: ResolvedPipeline) => {
    options.onPipelineStart?.(p.name);
    const task = (async () => {
      let outcome: PipelineOutcome | undefined;
      let lease: TargetLease | undefined;
      // A pipeline's duration covers every attempt (and no wait for its target): what it cost the night.
      let firstStarted: number | undefined;
      try {
        lease = await locks.acquire(
          p.targets.map((t) => t.key),
          {
            owner: `pipeline "${p.name}"`,
            signal: options.signal,
            onWait: (key, heldBy) =>
              options.log.info(`pipeline "${p.name}" waits for ${p.targets.find((t) => t.key === key)?.label ?? key}, held by ${heldBy}`),
          },
        );
      } catch {
        outcome = {
          name: p.name,
          status: 'interrupted',
          error: 'interrupted while waiting for its target',
          durationMs: 0,
          attempts: 0,
          bytes: 0,
          documents: [],
          progress: {},
        };
      }
      for (let attempt = 1; lease && attempt <= p.retries + 1; attempt++) {
        const docs = options.documents?.[p.name];
        firstStarted ??= Date.now();
        outcome = await runPipeline(p, {
          runId,
          runDir,
          cwd: file.dir,
          signal: options.signal,
          log: options.log,
          secrets: options.secrets,
          onProgress: options.onProgress,
          selectDocuments: docs ? new Set(docs) : undefined,
          locks,
        });
        outcome = { ...outcome, attempts: attempt, startedAt: new Date(firstStarted).toISOString(), durationMs: Date.now() - firstStarted };
        if (outcome.status !== 'failed' || options.signal.aborted) break;
        if (attempt <= p.retries)
          options.log.warn(`pipeline "${p.name}" failed; starting over (attempt ${attempt + 1} of ${p.retries + 1})`, { error: outcome.error });
      }
      await lease?.release();
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
        skip(
          p,
          options.signal.aborted
            ? 'interrupted before it started'
            : `needs "${blocked}", which ${outcomes.get(blocked!)!.status === 'skipped' ? 'was skipped' : 'failed'}`,
        );
        options.onPipelineEnd?.(outcomes.get(p.name)!);
        progressed = true;
        continue;
      }
      const myTurn = turns.get(p.name)!.every((earlier) => outcomes.has(earlier));
      if (needs.every((n) => outcomes.get(n)?.status === 'succeeded') && myTurn && running.size < file.concurrency) {
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

/**
 * For each pipeline, the pipelines that must end before it starts because they share a target:
 * the ones before it in file order, except those that need it (directly or not), which come after
 * it anyway. So sharers run one after the other in file order, and `needs:` never deadlocks.
 */
export function targetTurns(pipelines: readonly ResolvedPipeline[]): Map<string, string[]> {
  const byName = new Map(pipelines.map((p) => [p.name, p]));
  const needsTransitively = (from: ResolvedPipeline, target: string, seen = new Set<string>()): boolean =>
    from.needs.some((n) => n === target || (!seen.has(n) && seen.add(n) && byName.has(n) && needsTransitively(byName.get(n)!, target, seen)));
  const turns = new Map<string, string[]>();
  pipelines.forEach((p, i) => {
    const keys = new Set(p.targets.map((t) => t.key));
    const earlier = pipelines
      .slice(0, i)
      .filter((q) => q.targets.some((t) => keys.has(t.key)) && !needsTransitively(q, p.name))
      .map((q) => q.name);
    turns.set(p.name, earlier);
  });
  return turns;
}
