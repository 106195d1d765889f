/** What the engine hands every plugin while it runs. */

export type LogFields = Record<string, unknown>;

/** Structured logger. Values of schema fields marked `secret` and registered secrets are redacted by the logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields`. */
  child(fields: LogFields): Logger;
}

/** Counters a plugin adds to as it works; they drive progress output and the run summary. */
export interface ProgressDelta {
  bytes?: number;
  records?: number;
  chunks?: number;
  retries?: number;
}

export interface ProgressReporter {
  /** Add to this plugin's counters. */
  add(delta: ProgressDelta): void;
  /** Announce totals once known (e.g. a file's size, a chunk count), so progress can show an ETA. */
  expect(totals: { bytes?: number; chunks?: number }): void;
  /**
   * Say what the plugin is waiting on while no data moves, such as `importing: task IN_PROGRESS`
   * (an Anaplan import running on the server), and `undefined` once it is over. The progress line
   * shows it, with how long it has lasted, instead of a throughput that would only fall.
   */
  phase(text: string | undefined): void;
  /**
   * State facts about how the work went, such as `{ concurrency: 3, http429: 12 }` (what an
   * adaptive setting chose). Later values of a key replace earlier ones; they land in the
   * pipeline's outcome (`progress[plugin].facts`), the `--json` result and the run summary.
   */
  report(facts: Readonly<Record<string, ProgressFact>>): void;
}

/** A fact a plugin reports about its run: a short string or a number. */
export type ProgressFact = string | number;

/** Keeps secret values out of every output: logs, errors, `--json`, `--dry-run`. */
export interface SecretRegistry {
  /** Remember `value` as secret (e.g. an access token just obtained); it is redacted wherever it appears. */
  add(value: string | undefined): void;
  /** `text` with every registered secret replaced by `[redacted]`. */
  redact(text: string): string;
}

/** What the engine knows about the pipeline around a plugin before data flows. */
export interface PipelineShape {
  /** Total bytes the source expects to produce, when it can tell (a file's size). */
  readonly expectedBytes?: number;
  /** Chunk size promised by an upstream transform (e.g. `chunk-lines`), when there is one. */
  readonly chunkSize?: number;
}

export interface PluginContext {
  /** Aborted on Ctrl-C, on a failure anywhere in the pipeline, or at the run's deadline. Pass it to every I/O call. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly progress: ProgressReporter;
  readonly secrets: SecretRegistry;
  /** The directory of the pipeline file; relative paths in config resolve against it. */
  readonly cwd: string;
  /** Where run artefacts (logs, failure dumps, state) go. */
  readonly runDir: string;
  readonly runId: string;
  /** Name of the pipeline this plugin instance belongs to. */
  readonly pipeline: string;
  readonly shape: PipelineShape;
  /**
   * When set, a source that produces several documents produces only these (by `Doc.id`): a
   * re-run of the documents that failed last time (`pipe run --only-failed`).
   */
  readonly selectDocuments?: ReadonlySet<string>;
  /** `path` resolved against `cwd`. */
  resolvePath(path: string): string;
  /**
   * Hold a target that is known only at run time (an Anaplan file resolved from its name) so no
   * other pipeline loads it at the same time: waits while another holds it, then holds it until
   * `release()` or the end of this pipeline, whichever comes first. Take it before the first byte
   * is sent and release it after the last step that reads it (the import).
   */
  exclusive(target: ExclusiveTarget): Promise<{ release(): Promise<void> }>;
}

/** A target for `PluginContext.exclusive`: the same key means the same target. */
export interface ExclusiveTarget {
  readonly key: string;
  /** For people: `Anaplan file 113000000000 in model 75A40874E6B64FA3AE0B2C0A2AD3A96B`. */
  readonly label: string;
}
