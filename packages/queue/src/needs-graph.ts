/**
 * What a queued run can do next, from what has ended: the pipelines whose needs have all
 * succeeded are ready; those with a need that did not succeed are skipped, and so, in the same
 * step, is everything that needs them. The same rule as `pipe run`, decided by whichever worker
 * ends a pipeline instead of by one process.
 *
 * BullMQ's own dependencies (flows) are trees: a job has one parent. `needs:` is a graph (two
 * pipelines may need the same one), so the run's state is kept beside the queue (RunStore) and
 * each pipeline's job is added once its needs have succeeded.
 */
import type { PipelineStatus } from '@pipe/core/engine';
import type { RunPlan } from './job-data';

export interface RunSteps {
  /** Needs all succeeded (or none): their jobs can be added. */
  readonly ready: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

export function nextSteps(plan: RunPlan, ended: ReadonlyMap<string, PipelineStatus>): RunSteps {
  const status = new Map(ended);
  const skipped: { name: string; reason: string }[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const p of plan.pipelines) {
      if (status.has(p.name)) continue;
      const blocked = p.needs.find((n) => status.has(n) && status.get(n) !== 'succeeded');
      if (blocked === undefined) continue;
      skipped.push({ name: p.name, reason: `needs "${blocked}", which ${status.get(blocked) === 'skipped' ? 'was skipped' : 'failed'}` });
      status.set(p.name, 'skipped');
      changed = true;
    }
  }
  const ready = plan.pipelines.filter((p) => !status.has(p.name) && p.needs.every((n) => status.get(n) === 'succeeded')).map((p) => p.name);
  return { ready, skipped };
}
