import { ExitCode } from '@pipe/core/errors';
import { catalogFor } from '../../load-project';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { table } from '../../render/format';

interface PluginRow {
  readonly name: string;
  readonly kind: string;
  readonly origin: string;
  readonly summary: string;
}

export default class Plugins extends PipeCommand<PluginRow[]> {
  static override summary = 'List the plugins pipe can use.';
  static override description =
    'Built-in plugins and those of installed plugin packages (any package whose package.json has a "pipe": { "plugins": ... } entry, ' +
    'found in node_modules from the current directory up). A pipeline can also `use:` a module by path.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> plugins describe chunk-lines'];

  protected async execute(): Promise<CommandOutcome<PluginRow[]>> {
    await this.parse(Plugins);
    const catalog = catalogFor(process.cwd());
    const entries = await catalog.entries();
    for (const [name, why] of catalog.broken) this.warn(`plugin package ${name} could not be loaded: ${why}`);
    const order = { source: 0, transform: 1, sink: 2 };
    const rows = entries
      .map((e) => ({ name: e.plugin.name, kind: e.plugin.kind, origin: e.origin, summary: e.plugin.summary }))
      .sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
    return { result: rows, exitCode: ExitCode.Ok };
  }

  protected render(rows: PluginRow[]): string {
    return table(
      ['NAME', 'KIND', 'FROM', 'SUMMARY'],
      rows.map((r) => [r.name, r.kind, r.origin, r.summary]),
    );
  }
}
