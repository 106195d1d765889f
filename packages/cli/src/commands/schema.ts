import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { AtomicFile } from '@pipe/core';
import { ExitCode } from '@pipe/core/errors';
import { pipelineFileEditorSchema, type JsonSchema } from '@pipe/core/engine';
import { catalogFor } from '../load-project';
import { PipeCommand, type CommandOutcome } from '../pipe-command';

interface SchemaResult {
  readonly schema: JsonSchema;
  /** Where `--output` wrote it. */
  readonly file?: string;
}

export default class Schema extends PipeCommand<SchemaResult> {
  static override summary = 'Print the JSON Schema of a pipeline file, for editors.';
  static override description =
    "The framework's keys plus the `with:` block of every plugin pipe can use from here (built-in and installed plugin " +
    "packages), each selected by the stage's `use:`. Defaulted keys are not required, and `${VAR}` is accepted where a number " +
    "or boolean goes. JSON Schema draft-07, as yaml-language-server (VS Code's YAML extension) reads it: save it beside your " +
    'pipeline files and make their first line\n\n  # yaml-language-server: $schema=pipe.schema.json';
  static override examples = ['<%= config.bin %> <%= command.id %> > pipe.schema.json', '<%= config.bin %> <%= command.id %> --output pipe.schema.json'];
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Write the schema to this file (replaced atomically) instead of stdout.' }),
  };

  protected async execute(): Promise<CommandOutcome<SchemaResult>> {
    const { flags } = await this.parse(Schema);
    const catalog = catalogFor(process.cwd());
    const entries = await catalog.entries();
    for (const [name, why] of catalog.broken) this.warn(`plugin package ${name} could not be loaded, its plugins are not in the schema: ${why}`);
    const schema = pipelineFileEditorSchema(entries.map((e) => e.plugin));
    if (!flags.output) return { result: { schema }, exitCode: ExitCode.Ok };
    const file = await AtomicFile.create(resolve(flags.output));
    await file.write(Buffer.from(`${JSON.stringify(schema, null, 2)}\n`));
    await file.commit();
    return { result: { schema, file: file.path }, exitCode: ExitCode.Ok };
  }

  protected render(result: SchemaResult): string {
    return result.file ? `Wrote the pipeline file schema to ${result.file}` : JSON.stringify(result.schema, null, 2);
  }
}
