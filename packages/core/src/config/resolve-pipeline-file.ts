/**
 * From a loaded pipeline file to runnable pipelines: fill `${VAR}`s, resolve every `use:` to a
 * plugin, validate the whole file once against a schema assembled from the framework's schema and
 * each used plugin's schema (ajv fills defaults), check `needs:`. Every problem found is reported
 * together, each with file, line, column and key path.
 */
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../schema/ajv';
import { secretValues } from '../schema/secret-fields';
import type { PluginCatalog } from '../plugin/catalog';
import { UnknownPluginError } from '../plugin/catalog';
import type { Plugin, PluginKind, SinkPlugin, SinkTarget, SourcePlugin, TransformPlugin } from '../plugin/contract';
import { ConfigError, type ConfigIssue } from './config-error';
import { interpolateEnv, loadDotenv, secretSubstitutions } from './env-interpolation';
import type { LoadedPipelineFile } from './load-pipeline-file';
import { PipelineFileSchema, PipelineSchema, StageSchema, type PipelineFileData } from './pipeline-file-schema';
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
  /** In file order. */
  readonly pipelines: readonly ResolvedPipeline[];
  /** Secret values found (secret fields, variables named like secrets), for the redactor. */
  readonly secrets: readonly string[];
}

let ajv: ReturnType<typeof createAjv> | undefined;
let validateFramework: ValidateFunction | undefined;

export async function resolvePipelineFile(
  loaded: LoadedPipelineFile,
  catalog: PluginCatalog,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ResolvedPipelineFile> {
  const { source, file } = loaded;
  const dir = dirname(file);
  const interpolated = interpolateEnv(loaded.data, { ...loadDotenv(dir), ...env }, source);
  const issues: ConfigIssue[] = [...interpolated.issues];

  ajv ??= createAjv();
  validateFramework ??= ajv.compile(PipelineFileSchema);
  const shape = structuredClone(interpolated.data);
  if (!validateFramework(shape)) {
    throw new ConfigError([...issues, ...schemaIssues(validateFramework.errors ?? [], source, shape)]);
  }
  const data = interpolated.data as PipelineFileData;

  // Resolve every `use:`; collect unknown plugins as located issues.
  const stages = new Map<string, { plugin: Plugin; origin: string }>();
  const resolveStage = async (use: string, kind: PluginKind, path: KeyPath) => {
    try {
      const entry = await catalog.resolve(use, kind, dir);
      stages.set(path.join('/'), entry);
    } catch (error) {
      if (!(error instanceof UnknownPluginError)) throw error;
      issues.push(source.issue([...path, 'use'], error.message));
    }
  };
  for (const [name, p] of Object.entries(data.pipelines)) {
    await resolveStage(p.source.use, 'source', ['pipelines', name, 'source']);
    for (const [i, t] of (p.transforms ?? []).entries()) await resolveStage(t.use, 'transform', ['pipelines', name, 'transforms', i]);
    await resolveStage(p.sink.use, 'sink', ['pipelines', name, 'sink']);
  }

  // One schema for the whole file: each `with:` replaced by its plugin's schema.
  const stageSchema = (path: KeyPath) => {
    const entry = stages.get(path.join('/'));
    if (!entry) return StageSchema;
    return { ...StageSchema, properties: { ...StageSchema.properties, with: { ...entry.plugin.config, default: {} } } };
  };
  const pipelineSchemas = Object.fromEntries(
    Object.entries(data.pipelines).map(([name, p]) => [
      name,
      {
        ...PipelineSchema,
        properties: {
          ...PipelineSchema.properties,
          source: stageSchema(['pipelines', name, 'source']),
          transforms: transformsSchema((p.transforms ?? []).map((_, i) => stageSchema(['pipelines', name, 'transforms', i]))),
          sink: stageSchema(['pipelines', name, 'sink']),
        },
      },
    ]),
  );
  const assembled = { ...PipelineFileSchema, properties: { ...PipelineFileSchema.properties, pipelines: { type: 'object', properties: pipelineSchemas, additionalProperties: false } } };
  const validated = structuredClone(data);
  const validate: ValidateFunction = ajv.compile(assembled);
  if (!validate(validated)) issues.push(...schemaIssues(validate.errors ?? [], source, validated));

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
      targets: sink.plugin.targets?.(sink.config as never, { resolvePath: (path) => resolve(dir, path) }) ?? [],
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
    pipelines,
    secrets: [...secrets],
  };
}

/** A list holding exactly these stages (draft-07 tuples need at least one item). */
function transformsSchema(stages: object[]): object {
  if (stages.length === 0) return { type: 'array', maxItems: 0 };
  return { type: 'array', items: stages, minItems: stages.length, additionalItems: false };
}

/** Unknown names in `needs:` and cycles, each at the `needs` that names it. */
function needsIssues(data: PipelineFileData, source: LoadedPipelineFile['source']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = Object.keys(data.pipelines);
  for (const [name, p] of Object.entries(data.pipelines)) {
    (p.needs ?? []).forEach((need, i) => {
      if (!data.pipelines[need]) issues.push(source.issue(['pipelines', name, 'needs', i], `unknown pipeline "${need}"; pipelines in this file: ${names.join(', ')}`));
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
