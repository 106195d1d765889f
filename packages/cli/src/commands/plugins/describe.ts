import { Args, Flags } from '@oclif/core';
import type { PluginKind } from '@pipe/core';
import { ExitCode } from '@pipe/core/errors';
import { describeSchema, pluginWithSchema, type JsonSchema, type SettingDoc } from '@pipe/core/engine';
import { catalogFor } from '../../load-project';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { table } from '../../render/format';

interface DescribeResult {
  readonly name: string;
  readonly kind: string;
  readonly origin: string;
  readonly summary: string;
  readonly description?: string;
  readonly settings: SettingDoc[];
  /** The `with:` schema exactly as `pipe schema` has it under this plugin's `use:`. */
  readonly schema: JsonSchema;
}

export default class PluginsDescribe extends PipeCommand<DescribeResult> {
  static override summary = "Show a plugin's settings, read from its JSON Schema.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> chunk-lines',
    '<%= config.bin %> <%= command.id %> file --kind sink',
    '<%= config.bin %> <%= command.id %> anaplan --json',
  ];
  static override args = { name: Args.string({ required: true, description: 'Plugin name (as in use:).' }) };
  static override flags = {
    kind: Flags.string({ options: ['source', 'transform', 'sink'], description: 'Which kind, when a name has several (file is a source and a sink).' }),
  };

  protected async execute(): Promise<CommandOutcome<DescribeResult>> {
    const { args, flags } = await this.parse(PluginsDescribe);
    const entries = (await catalogFor(process.cwd()).entries()).filter(
      (e) => e.plugin.name === args.name && (!flags.kind || e.plugin.kind === (flags.kind as PluginKind)),
    );
    if (entries.length === 0)
      this.error(`no plugin named "${args.name}"${flags.kind ? ` of kind ${flags.kind}` : ''}; see: pipe plugins`, { exit: ExitCode.Usage });
    if (entries.length > 1) this.error(`"${args.name}" is a ${entries.map((e) => e.plugin.kind).join(' and a ')}; add --kind`, { exit: ExitCode.Usage });
    const { plugin, origin } = entries[0];
    const result = {
      name: plugin.name,
      kind: plugin.kind,
      origin,
      summary: plugin.summary,
      description: plugin.description,
      settings: describeSchema(plugin.config),
      schema: pluginWithSchema(plugin),
    };
    return { result, exitCode: ExitCode.Ok };
  }

  protected render(r: DescribeResult): string {
    const rows = r.settings.map((s) => [
      s.key,
      s.type,
      s.required ? 'yes' : '',
      s.default === undefined ? '' : JSON.stringify(s.default),
      `${s.secret ? '(secret) ' : ''}${s.description ?? ''}`,
    ]);
    return [
      `${r.name} (${r.kind}, ${r.origin}): ${r.summary}`,
      r.description ? `\n${r.description}` : '',
      '',
      table(['SETTING', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'], rows),
    ].join('\n');
  }
}
