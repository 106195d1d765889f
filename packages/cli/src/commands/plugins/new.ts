import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { PluginKind } from '@pipe/core';
import { ExitCode } from '@pipe/core/errors';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { pluginPackageFiles } from '../../scaffold/plugin-templates';
import { vendorRunningCore } from '../../scaffold/vendored-core';

interface NewResult {
  readonly dir: string;
  readonly files: string[];
}

export default class PluginsNew extends PipeCommand<NewResult> {
  static override summary = 'Scaffold a working plugin package with a test.';
  static override description =
    'Creates pipe-plugin-NAME/ with a plugin of the given kind, its jest test, a tsconfig and a package.json whose ' +
    '"pipe" entry lets `use: NAME` find it once installed. Then: cd pipe-plugin-NAME && npm install && npm test. ' +
    'Its @pipe/core is the one of this pipe, packed into vendor/, so it installs without a registry that has @pipe/core; ' +
    '--core-range depends on a published core instead.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> sink http-post',
    '<%= config.bin %> <%= command.id %> transform mask-emails --dir plugins',
    '<%= config.bin %> <%= command.id %> source my-api --core-range ^0.1.0',
  ];
  static override args = {
    kind: Args.string({ required: true, options: ['source', 'transform', 'sink'], description: 'source, transform or sink' }),
    name: Args.string({ required: true, description: 'Plugin name (as in use:), lower-case words joined by dashes.' }),
  };
  static override flags = {
    dir: Flags.string({ description: 'Where to create the package folder.', default: '.' }),
    'core-range': Flags.string({
      description: "Depend on @pipe/core from the registry at this range (e.g. ^0.1.0) instead of packing this pipe's core into vendor/.",
    }),
  };

  protected async execute(): Promise<CommandOutcome<NewResult>> {
    const { args, flags } = await this.parse(PluginsNew);
    if (!/^[a-z][a-z0-9-]*$/.test(args.name)) this.error(`plugin name "${args.name}": use lower-case letters, digits and dashes`, { exit: ExitCode.Usage });
    const dir = resolve(flags.dir, `pipe-plugin-${args.name}`);
    if (existsSync(dir)) this.error(`${dir} already exists; pick another name or --dir`, { exit: ExitCode.Usage });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- read once, only by this command
    const coreVersion = (require('@pipe/core/package.json') as { version: string }).version;
    mkdirSync(dir, { recursive: true });
    let coreSpec: string;
    try {
      coreSpec = flags['core-range'] ?? vendorRunningCore(dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true }); // no half-made package left to trip over
      throw error;
    }
    const files = pluginPackageFiles({ kind: args.kind as PluginKind, name: args.name, coreVersion, coreSpec });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const vendored = coreSpec.startsWith('file:') ? [coreSpec.slice('file:'.length)] : [];
    return { result: { dir, files: [...Object.keys(files), ...vendored] }, exitCode: ExitCode.Ok };
  }

  protected render(r: NewResult): string {
    return [`Created ${r.dir}:`, ...r.files.map((f) => `  ${f}`), '', `Next: cd ${r.dir} && npm install && npm test`].join('\n');
  }
}
