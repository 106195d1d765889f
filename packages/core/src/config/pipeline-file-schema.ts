/**
 * The framework's own schema for a pipeline file. Each `with:` block is left open here; once the
 * file passes, each stage's `with:` is checked by its plugin's own schema, compiled once.
 */
import type { Static } from '@sinclair/typebox';
import { JsonType } from '../schema/json-type';

export const PIPELINE_NAME = '^[A-Za-z0-9][A-Za-z0-9_-]*$';

export const StageSchema = JsonType.Object(
  {
    use: JsonType.String({ minLength: 1, description: 'A built-in plugin name, an installed package, or a path to a JS/TS module.' }),
    with: JsonType.Optional(JsonType.Object({}, { additionalProperties: true, description: "The plugin's settings, checked against its schema." })),
  },
  { additionalProperties: false },
);

export const PipelineSchema = JsonType.Object(
  {
    description: JsonType.Optional(JsonType.String()),
    needs: JsonType.Optional(
      JsonType.Array(JsonType.String({ pattern: PIPELINE_NAME }), { uniqueItems: true, description: 'Pipelines that must succeed first.' }),
    ),
    source: StageSchema,
    transforms: JsonType.Optional(JsonType.Array(StageSchema)),
    sink: StageSchema,
    retries: JsonType.Optional(
      JsonType.Integer({ minimum: 0, maximum: 10, default: 0, description: 'Start the whole pipeline over this many times after a failure.' }),
    ),
  },
  { additionalProperties: false },
);

export const LogSettingsSchema = JsonType.Object(
  {
    file: JsonType.Optional(JsonType.String({ description: 'Log file path, relative to the pipeline file.' })),
    level: JsonType.Optional(JsonType.Union([JsonType.Literal('debug'), JsonType.Literal('info'), JsonType.Literal('warn'), JsonType.Literal('error')])),
    consoleLevel: JsonType.Optional(JsonType.Union([JsonType.Literal('debug'), JsonType.Literal('info'), JsonType.Literal('warn'), JsonType.Literal('error')])),
    maxFiles: JsonType.Optional(JsonType.Integer({ minimum: 1, maximum: 100 })),
    maxBytes: JsonType.Optional(JsonType.Integer({ minimum: 1024 })),
  },
  { additionalProperties: false },
);

export const QueueSettingsSchema = JsonType.Object(
  {
    redis: JsonType.Optional(
      JsonType.String({
        minLength: 1,
        description: 'Redis URL of the queue (`pipe enqueue`, `pipe schedule`), e.g. redis://queue.internal:6379. `--redis` and PIPE_REDIS_URL win.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PipelineFileSchema = JsonType.Object(
  {
    version: JsonType.Literal(1, { description: 'Pipeline file format version.' }),
    concurrency: JsonType.Optional(JsonType.Integer({ minimum: 1, maximum: 32, default: 2, description: 'Independent pipelines run at once.' })),
    stateDir: JsonType.Optional(JsonType.String({ description: 'Where run records go, relative to the pipeline file. Default: .pipe' })),
    logs: JsonType.Optional(LogSettingsSchema),
    queue: JsonType.Optional(QueueSettingsSchema),
    pipelines: JsonType.Record(JsonType.String({ pattern: PIPELINE_NAME }), PipelineSchema, { minProperties: 1 }),
  },
  { additionalProperties: false },
);

export type PipelineFileData = Static<typeof PipelineFileSchema>;
export type PipelineData = Static<typeof PipelineSchema>;
export type StageData = Static<typeof StageSchema>;
