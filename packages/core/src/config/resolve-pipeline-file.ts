/**
 * From a loaded pipeline file to runnable pipelines: fill `${VAR}`s, check the file against the
 * framework's schema, resolve every `use:` to a plugin, check each stage's `with:` against its
 * plugin's schema (ajv fills defaults), check `needs:`. Every problem found is reported together,
 * each with file, line, column and key path. Each schema is compiled once and each stage checked
 * on its own, so the work grows with the file, not faster.
 */
import { dirname, resolve } from 'node:path';
import { validatorFor } from '../schema/compiled-validators';
import { secretValues } from '../schema/secret-fields';
import type { CatalogEntry, PluginCatalog } from '../plugin/catalog';
import { UnknownPluginError } from '../plugin/catalog';
import type { Plugin, PluginKind, SinkPlugin, SinkTarget, SourcePlugin, TransformPlugin } from '../plugin/contract';
import { ConfigError, type ConfigIssue } from './config-error';
import { interpolateEnv, loadDotenv, secretSubstitutions } from './env-interpolation';
import type { LoadedPipelineFile } from './load-pipeline-file';
import { PipelineFileSchema, type PipelineFileData } from './pipeline-file-schema';
import { pluginCheckIssues, targetConflictIssues } from './plugin-checks';
import { schemaIssues } from './schema-issues';
import type { KeyPath } from './yaml-source';

export interface ResolvedStage<P extends Plugin = Plugin> {
  readonly use: string;
  readonly plugin: P;
  /** `built-in`, a package name, or a module path. */
  readonly origin: string;
  /** The validated `with:` block, defaults filled in. */
  readonly config: unknown;
  readonly path: KeyPath;
}

export interface ResolvedPipeline {
  readonly name: string;
  readonly description?: string;
  readonly needs: readonly string[];
  readonly retries: number;
  readonly source: ResolvedStage<SourcePlugin>;
  readonly transforms: readonly ResolvedStage<TransformPlugin>[];
  readonly sink: ResolvedStage<SinkPlugin>;
  /** What the sink writes (see SinkPlugin.targets): pipelines sharing an `exclusive` target take turns. */
  readonly targets: readonly SinkTarget[];
}

export interface ResolvedPipelineFile {
  readonly file: string;
  readonly dir: string;
  readonly concurrency: number;
  readonly stateDir: string;
  readonly logs: PipelineFileData['logs'];
  /** Where `pipe enqueue` and `pipe schedule` find the queue, when the file says. */
  readonly queue?: PipelineFileData['queue'];
  /** In file order. */
  readonly pipelines: readonly ResolvedPipeline[];
  /** Secret values found (secret fields, variables named like secrets), for the redactor. */
  readonly secrets: readonly string[];
}

export async function resolvePipelineFile(
  loaded: LoadedPipelineFile,
  catalog: PluginCatalog,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ResolvedPipelineFile> {
  const { source, file } = loaded;
  const dir = dirname(file);
  const interpolated = interpolateEnv(loaded.data, { ...loadDotenv(dir), ...env }, source);
  const issues: ConfigIssue[] = [...interpolated.issues];

  // The interpolated tree is a fresh copy of the file's data: ajv may fill defaults into it in place.
  const validated = interpolated.data as PipelineFileData;
  const validateFramework = validatorFor(PipelineFileSchema, 'core');
  if (!validateFramework(validated)) {
    throw new ConfigError([...issues, ...schemaIssues(validateFramework.errors ?? [], source, validated)]);
  }

  // Resolve every `use:` (each distinct one once); collect unknown plugins as located issues.
  const resolving = new Map<string, Promise<CatalogEntry | UnknownPluginError>>();
  const stages = new Map<string, CatalogEntry>();
  const resolveStage = async (use: string, kind: PluginKind, path: KeyPath) => {
    const key = `${kind}:${use}`;
    let pending = resolving.get(key);
    if (!pending) {
      pending = catalog.resolve(use, kind, dir).catch((error: unknown) => {
        if (error instanceof UnknownPluginError) return error;
        throw error;
      });
      resolving.set(key, pending);
    }
    const entry = await pending;
    if (entry instanceof UnknownPluginError) issues.push(source.issue([...path, 'use'], entry.message));
    else stages.set(path.join('/'), entry);
  };
  // Each `with:` checked by its plugin's compiled schema, its errors placed at the stage's keys.
  const checkStage = (stage: { with?: Record<string, unknown> }, path: KeyPath) => {
    const entry = stages.get(path.join('/'));
    if (!entry) return;
    stage.with ??= {};
    const validate = validatorFor(entry.plugin.config, entry.origin === 'built-in' ? 'core' : 'plugin');
    if (!validate(stage.with)) issues.push(...schemaIssues(validate.errors ?? [], source, stage.with, [...path, 'with']));
  };
  for (const [name, p] of Object.entries(validated.pipelines)) {
    const at = (...rest: (string | number)[]): KeyPath => ['pipelines', name, ...rest];
    await resolveStage(p.source.use, 'source', at('source'));
    for (const [i, t] of (p.transforms ?? []).entries()) await resolveStage(t.use, 'transform', at('transforms', i));
    await resolveStage(p.sink.use, 'sink', at('sink'));
    checkStage(p.source, at('source'));
    for (const [i, t] of (p.transforms ?? []).entries()) checkStage(t, at('transforms', i));
    checkStage(p.sink, at('sink'));
  }

  issues.push(...needsIssues(validated, source));
  if (issues.length) throw new ConfigError(issues);

  const pipelines: ResolvedPipeline[] = Object.entries(validated.pipelines).map(([name, p]) => {
    const stage = <P extends Plugin>(path: KeyPath, s: { use: string; with?: unknown }): ResolvedStage<P> => {
      const entry = stages.get(path.join('/'))!;
      return { use: s.use, plugin: entry.plugin as P, origin: entry.origin, config: s.with ?? {}, path };
    };
    const sink = stage<SinkPlugin>(['pipelines', name, 'sink'], p.sink);
    return {
      name,
      description: p.description,
      needs: p.needs ?? [],
      retries: p.retries ?? 0,
      source: stage<SourcePlugin>(['pipelines', name, 'source'], p.source),
      transforms: (p.transforms ?? []).map((t, i) => stage<TransformPlugin>(['pipelines', name, 'transforms', i], t)),
      sink,
      targets: sink.plugin.targets?.(sink.config, { resolvePath: (path) => resolve(dir, path) }) ?? [],
    };
  });
  const pluginIssues = [...pluginCheckIssues(pipelines, source), ...targetConflictIssues(pipelines, source)];
  if (pluginIssues.length) throw new ConfigError(pluginIssues);
  const secrets = new Set(secretSubstitutions(interpolated.substitutions));
  for (const p of pipelines) {
    for (const s of [p.source, ...p.transforms, p.sink]) for (const v of secretValues(s.plugin.config, s.config)) secrets.add(v);
  }
  return {
    file,
    dir,
    concurrency: validated.concurrency ?? 2,
    stateDir: resolve(dir, validated.stateDir ?? '.pipe'),
    logs: validated.logs,
    queue: validated.queue,
    pipelines,
    secrets: [...secrets],
  };
}

/** Unknown names in `needs:` and cycles, each at the `needs` that names it. */
function needsIssues(data: PipelineFileData, source: LoadedPipelineFile['source']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = Object.keys(data.pipelines);
  for (const [name, p] of Object.entries(data.pipelines)) {
    (p.needs ?? []).forEach((need, i) => {
      if (!data.pipelines[need])
        issues.push(source.issue(['pipelines', name, 'needs', i], `unknown pipeline "${need}"; pipelines in this file: ${names.join(', ')}`));
      else if (need === name) issues.push(source.issue(['pipelines', name, 'needs', i], `pipeline "${name}" cannot need itself`));
    });
  }
  if (issues.length) return issues;
  // Depth-first search for a cycle; report it once, at the first pipeline on it.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const need of data.pipelines[name].needs ?? []) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle) {
      issues.push(source.issue(['pipelines', cycle[0], 'needs'], `cycle in needs: ${cycle.join(' -> ')}; remove one of these needs`));
      break;
    }
  }
  return issues;
}
