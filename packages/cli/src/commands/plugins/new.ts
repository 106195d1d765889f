import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { ExitCode, type PluginKind } from '@pipe/core';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { pluginPackageFiles } from '../../scaffold/plugin-templates';

interface NewResult {
  readonly dir: string;
  readonly files: string[];
}

export default class PluginsNew extends PipeCommand<NewResult> {
  static override summary = 'Scaffold a working plugin package with a test.';
  static override description =
    'Creates pipe-plugin-NAME/ with a plugin of the given kind, its jest test, a tsconfig and a package.json whose ' +
    '"pipe" entry lets `use: NAME` find it once installed. Then: cd pipe-plugin-NAME && npm install && npm test.';
  static override examples = ['<%= config.bin %> <%= command.id %> sink http-post', '<%= config.bin %> <%= command.id %> transform mask-emails --dir plugins'];
  static override args = {
    kind: Args.string({ required: true, options: ['source', 'transform', 'sink'], description: 'source, transform or sink' }),
    name: Args.string({ required: true, description: 'Plugin name (as in use:), lower-case words joined by dashes.' }),
  };
  static override flags = { dir: Flags.string({ description: 'Where to create the package folder.', default: '.' }) };

  protected async execute(): Promise<CommandOutcome<NewResult>> {
    const { args, flags } = await this.parse(PluginsNew);
    if (!/^[a-z][a-z0-9-]*$/.test(args.name)) this.error(`plugin name "${args.name}": use lower-case letters, digits and dashes`, { exit: ExitCode.Usage });
    const dir = resolve(flags.dir, `pipe-plugin-${args.name}`);
    if (existsSync(dir)) this.error(`${dir} already exists; pick another name or --dir`, { exit: ExitCode.Usage });
    const coreVersion = (require('@pipe/core/package.json') as { version: string }).version;
    const files = pluginPackageFiles({ kind: args.kind as PluginKind, name: args.name, coreVersion });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return { result: { dir, files: Object.keys(files) }, exitCode: ExitCode.Ok };
  }

  protected render(r: NewResult): string {
    return [`Created ${r.dir}:`, ...r.files.map((f) => `  ${f}`), '', `Next: cd ${r.dir} && npm install && npm test`].join('\n');
  }
}
