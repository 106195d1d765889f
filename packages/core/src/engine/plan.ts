/** What `pipe run --dry-run` shows: pipelines in run order with their plugins and non-secret config. */
import type { ResolvedPipelineFile, ResolvedStage } from '../config/resolve-pipeline-file';
import { redactSecretFields } from '../schema/secret-fields';
import type { SecretRegistry } from '../plugin/context';

export interface PlannedStage {
  readonly use: string;
  readonly kind: string;
  readonly plugin: string;
  readonly origin: string;
  readonly config: unknown;
}

export interface PlannedPipeline {
  readonly name: string;
  readonly needs: readonly string[];
  /** Pipelines in the same wave may run at once. */
  readonly wave: number;
  readonly source: PlannedStage;
  readonly transforms: readonly PlannedStage[];
  readonly sink: PlannedStage;
}

export interface RunPlan {
  readonly file: string;
  readonly concurrency: number;
  readonly pipelines: readonly PlannedPipeline[];
}

export function planRun(file: ResolvedPipelineFile, secrets: SecretRegistry, only?: readonly string[]): RunPlan {
  const selected = file.pipelines.filter((p) => !only || only.includes(p.name));
  const wave = new Map<string, number>();
  const waveOf = (name: string): number => {
    const known = wave.get(name);
    if (known !== undefined) return known;
    const p = selected.find((s) => s.name === name);
    const w = p ? Math.max(0, ...p.needs.filter((n) => selected.some((s) => s.name === n)).map((n) => waveOf(n) + 1)) : 0;
    wave.set(name, w);
    return w;
  };
  const stage = (s: ResolvedStage): PlannedStage => ({
    use: s.use,
    kind: s.plugin.kind,
    plugin: s.plugin.name,
    origin: s.origin,
    // Secret fields by schema, then any registered secret text anywhere else.
    config: JSON.parse(secrets.redact(JSON.stringify(redactSecretFields(s.plugin.config, s.config)))),
  });
  const pipelines = selected
    .map((p) => ({ name: p.name, needs: p.needs, wave: waveOf(p.name), source: stage(p.source), transforms: p.transforms.map(stage), sink: stage(p.sink) }))
    .sort((a, b) => a.wave - b.wave);
  return { file: file.file, concurrency: file.concurrency, pipelines };
}
