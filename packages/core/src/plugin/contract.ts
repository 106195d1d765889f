/**
 * The plugin contract: everything a source, transform or sink author writes against.
 *
 * A plugin is one object: a name, a one-line summary, a config JSON Schema (written with TypeBox,
 * so the same value is the runtime schema and, through `Static`, the TypeScript type of the
 * config), and one function. The engine validates `with:` against the schema (filling defaults)
 * before the function is called, so the function receives a complete, typed config.
 */
import type { Readable } from 'node:stream';
import type { Static, TSchema } from '@sinclair/typebox';
import type { PluginContext } from './context';
import type { Doc, Piece } from './piece';

export type PluginKind = 'source' | 'transform' | 'sink';

interface PluginBase<S extends TSchema> {
  /** What `use:` names in a pipeline file, e.g. `file`, `chunk-lines`, `anaplan`. */
  readonly name: string;
  /** One line, shown by `pipe plugins`. */
  readonly summary: string;
  /** Longer markdown, shown by `pipe plugins describe`. */
  readonly description?: string;
  /** JSON Schema of the `with:` block. Mark secret strings with `{ secret: true }`. */
  readonly config: S;
  /**
   * Rules a JSON Schema cannot say (a URL that would send credentials in clear, two keys that
   * exclude each other). Called at validation with the config, defaults filled; each problem is
   * reported at its key like a schema error, so `pipe validate` catches it before a run.
   */
  checkConfig?(config: Static<S>): readonly ConfigProblem[];
}

/** A problem `checkConfig` found: where inside the `with:` block, and what to change. */
export interface ConfigProblem {
  /** Key path inside `with:`, e.g. `['auth', 'url']`; empty for the block itself. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Something a sink writes that two pipelines must not write at once: a file, a directory, an
 * Anaplan file. The engine reads these before a run.
 */
export interface SinkTarget {
  /** Identifies the target; equal keys are the same target (e.g. `file:/abs/out.csv`). */
  readonly key: string;
  /** For people: `Anaplan file Opportunities.csv in model Sales`. */
  readonly label: string;
  /**
   * `exclusive`: pipelines sharing the target take turns, from the first byte to the end of the
   * sink's work (an Anaplan upload and the import that reads it). `unique`: only one pipeline of a
   * file may write it; a second is a configuration error (two sinks writing one path).
   */
  readonly sharing: 'exclusive' | 'unique';
}

export interface SourcePlugin<S extends TSchema = TSchema> extends PluginBase<S> {
  readonly kind: 'source';
  /**
   * Produce the pipeline's pieces. Pull-based: the next piece is asked for only when downstream
   * has room, so an async generator that awaits its I/O gets backpressure for free.
   */
  open(config: Static<S>, ctx: PluginContext): AsyncIterable<Piece> | Readable;
  /** Bytes the source will produce, if known before it starts (used for limits and ETA). */
  estimateBytes?(config: Static<S>, ctx: PluginContext): Promise<number | undefined>;
}

/** A running transform: called for each piece in order, then once at the end. */
export interface TransformStage {
  push(piece: Piece): Iterable<Piece> | AsyncIterable<Piece>;
  flush?(): Iterable<Piece> | AsyncIterable<Piece>;
}

export interface TransformPlugin<S extends TSchema = TSchema> extends PluginBase<S> {
  readonly kind: 'transform';
  create(config: Static<S>, ctx: PluginContext): TransformStage;
  /** The chunk size this transform guarantees downstream, so sinks can check limits before data flows. */
  chunkSize?(config: Static<S>): number | undefined;
}

/** Outcome of one document at the sink. */
export interface DocumentResult {
  readonly doc: Doc;
  /** Where the document landed: file paths, an Anaplan file id. */
  readonly outputs?: readonly string[];
  readonly rows?: number;
}

/** What a sink reports for the run summary. */
export interface SinkResult {
  /** Where the data went, one line each (paths, URLs, ids). */
  readonly outputs?: readonly string[];
  readonly documents?: readonly DocumentResult[];
  /** Anything else worth showing (import outcome, failure dump path). Must hold no secret. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface SinkPlugin<S extends TSchema = TSchema> extends PluginBase<S> {
  readonly kind: 'sink';
  /**
   * Consume every piece and resolve once the data is durably delivered. Pull from `input` only
   * when there is room (that is the backpressure). Throw to fail the pipeline; clean up partial
   * output in `finally` (the input throws if upstream fails or the run is aborted).
   */
  consume(input: AsyncIterable<Piece>, config: Static<S>, ctx: PluginContext): Promise<SinkResult>;
  /**
   * What this sink will write, known from its config alone (before any name is resolved), so
   * pipelines that share a target never write it at once. `resolvePath` resolves a config path
   * against the pipeline file's folder.
   */
  targets?(config: Static<S>, paths: { readonly resolvePath: (path: string) => string }): readonly SinkTarget[];
}

export type Plugin = SourcePlugin | TransformPlugin | SinkPlugin;

/** Declare a source; the config type is inferred from the schema. */
export function defineSource<S extends TSchema>(plugin: Omit<SourcePlugin<S>, 'kind'>): SourcePlugin<S> {
  return { kind: 'source', ...plugin };
}

export function defineTransform<S extends TSchema>(plugin: Omit<TransformPlugin<S>, 'kind'>): TransformPlugin<S> {
  return { kind: 'transform', ...plugin };
}

export function defineSink<S extends TSchema>(plugin: Omit<SinkPlugin<S>, 'kind'>): SinkPlugin<S> {
  return { kind: 'sink', ...plugin };
}

/** A command-line login flow a package offers (`pipe auth login NAME`). */
export interface LoginProvider {
  readonly summary: string;
  /** Options the flow accepts on the command line, by flag name (e.g. `client-id`). */
  readonly options?: Readonly<Record<string, { description: string; required?: boolean; secret?: boolean }>>;
  login(options: Record<string, string | undefined>, io: LoginIO): Promise<{ account: string }>;
}

export interface LoginIO {
  /** Tell the user something (the verification URL, the user code). */
  say(line: string): void;
  readonly signal: AbortSignal;
  readonly credentials: import('../credentials/credential-store').CredentialStore;
}

/** A local stand-in for a remote service (`pipe emulate NAME`). */
export interface EmulatorProvider {
  readonly summary: string;
  start(options: { port?: number; host?: string }): Promise<{ url: string; describe(): string[]; stop(): Promise<void> }>;
}

/**
 * What a plugin package exports (from the module named by `pipe.plugins` in its package.json, or
 * its main module): its plugins, and optionally login flows and emulators for the CLI.
 */
export interface PipePackage {
  readonly plugins: readonly Plugin[];
  readonly logins?: Readonly<Record<string, LoginProvider>>;
  readonly emulators?: Readonly<Record<string, EmulatorProvider>>;
}
