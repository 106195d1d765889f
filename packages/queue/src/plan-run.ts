/** From a loaded pipeline file and a selection to the plan of a queued run. */
import { newRunId, type ResolvedPipelineFile } from '@pipe/core/engine';
import type { RunPlan } from './job-data';

export interface RunSelection {
  /** Only these pipelines (default: all), their needs outside the selection taken as met. */
  readonly only?: readonly string[];
  readonly documents?: Readonly<Record<string, readonly string[]>>;
}

export function planQueuedRun(project: ResolvedPipelineFile, text: string, selection: RunSelection = {}): RunPlan {
  const selected = project.pipelines.filter((p) => !selection.only || selection.only.includes(p.name));
  const names = new Set(selected.map((p) => p.name));
  return {
    runId: newRunId(),
    file: project.file,
    text,
    startedAt: new Date().toISOString(),
    pipelines: selected.map((p) => ({ name: p.name, needs: p.needs.filter((n) => names.has(n)), retries: p.retries })),
    documents: selection.documents && Object.keys(selection.documents).length ? selection.documents : undefined,
  };
}
