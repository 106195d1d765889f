/**
 * The framework's own schema for a pipeline file. Each `with:` block is left open here; once the
 * file passes, each stage's `with:` is checked by its plugin's own schema, compiled once.
 */
import { Type, type Static } from '@sinclair/typebox';

export const PIPELINE_NAME = '^[A-Za-z0-9][A-Za-z0-9_-]*$';

export const StageSchema = Type.Object(
  {
    use: Type.String({ minLength: 1, description: 'A built-in plugin name, an installed package, or a path to a JS/TS module.' }),
    with: Type.Optional(Type.Object({}, { additionalProperties: true, description: "The plugin's settings, checked against its schema." })),
  },
  { additionalProperties: false },
);

export const PipelineSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    needs: Type.Optional(Type.Array(Type.String({ pattern: PIPELINE_NAME }), { uniqueItems: true, description: 'Pipelines that must succeed first.' })),
    source: StageSchema,
    transforms: Type.Optional(Type.Array(StageSchema)),
    sink: StageSchema,
    retries: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10, default: 0, description: 'Start the whole pipeline over this many times after a failure.' }),
    ),
  },
  { additionalProperties: false },
);

export const LogSettingsSchema = Type.Object(
  {
    file: Type.Optional(Type.String({ description: 'Log file path, relative to the pipeline file.' })),
    level: Type.Optional(Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')])),
    consoleLevel: Type.Optional(Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')])),
    maxFiles: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    maxBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
  },
  { additionalProperties: false },
);

export const QueueSettingsSchema = Type.Object(
  {
    redis: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Redis URL of the queue (`pipe enqueue`, `pipe schedule`), e.g. redis://queue.internal:6379. `--redis` and PIPE_REDIS_URL win.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PipelineFileSchema = Type.Object(
  {
    version: Type.Literal(1, { description: 'Pipeline file format version.' }),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 32, default: 2, description: 'Independent pipelines run at once.' })),
    stateDir: Type.Optional(Type.String({ description: 'Where run records go, relative to the pipeline file. Default: .pipe' })),
    logs: Type.Optional(LogSettingsSchema),
    queue: Type.Optional(QueueSettingsSchema),
    pipelines: Type.Record(Type.String({ pattern: PIPELINE_NAME }), PipelineSchema, { minProperties: 1 }),
  },
  { additionalProperties: false },
);

export type PipelineFileData = Static<typeof PipelineFileSchema>;
export type PipelineData = Static<typeof PipelineSchema>;
export type StageData = Static<typeof StageSchema>;
