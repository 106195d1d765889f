/**
 * Every plugin a run can use: the built-ins, the installed plugin packages, and modules named by
 * path or package in `use:`. Resolves a `use:` value for a given kind (`file` is both a source
 * and a sink).
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { builtinPlugins } from '../plugins/builtin';
import { PipeError, ExitCode } from '../errors';
import type { Plugin, PluginKind, PipePackage } from './contract';
import { discoverPackages, nodeModulesChain, type DiscoveredPackage } from './discovery';
import { loadModule, resolvePackage } from './module-loader';
import { packageFromModule } from './module-exports';

export interface CatalogEntry {
  readonly plugin: Plugin;
  /** `built-in`, a package name, or a module path. */
  readonly origin: string;
}

export class UnknownPluginError extends PipeError {
  constructor(
    readonly use: string,
    readonly kind: PluginKind,
    readonly available: readonly string[],
    reason?: string,
  ) {
    super(
      reason ?? `unknown ${kind} plugin "${use}"; available ${kind}s: ${available.join(', ') || '(none)'}, or a path (./my-plugin.ts) or an npm package name`,
      { code: 'UNKNOWN_PLUGIN', exitCode: ExitCode.Usage },
    );
  }
}

export interface CatalogOptions {
  /** Directory to search for installed plugin packages from (the pipeline file's). */
  readonly cwd: string;
  /** More node_modules folders to search (the CLI's own). */
  readonly extraNodeModules?: readonly string[];
  /**
   * Entry modules (absolute paths) to load with Node's own `require`: compiled CommonJS built
   * against this very core, like the plugin packages the CLI ships with. Everything else loads
   * through jiti, which compiles TypeScript and makes `@pipe/core` the running core; skipping it
   * for these saves its compiler and its copy of each module's source (about 2.5 MB for the two
   * service packages). A package installed beside the pipeline file has another entry path and
   * still goes through jiti. A function is called once, when the first package loads.
   */
  readonly nativeEntries?: ReadonlySet<string> | (() => ReadonlySet<string>);
}

export class PluginCatalog {
  private discoveredPackages?: DiscoveredPackage[];
  private nativeEntries?: ReadonlySet<string>;
  private readonly loaded = new Map<string, Promise<PipePackage>>();

  constructor(private readonly options: CatalogOptions) {}

  /** The installed plugin packages, found on first need: a file using only built-ins reads no node_modules. */
  private get discovered(): DiscoveredPackage[] {
    this.discoveredPackages ??= discoverPackages([...nodeModulesChain(this.options.cwd), ...(this.options.extraNodeModules ?? [])]);
    return this.discoveredPackages;
  }

  /** Built-ins and every discovered package's plugins; a package that fails to load is listed in `broken`. */
  async entries(): Promise<CatalogEntry[]> {
    const entries: CatalogEntry[] = builtinPlugins.map((plugin) => ({ plugin, origin: 'built-in' }));
    for (const pkg of this.discovered) {
      const loaded = await this.load(pkg.entry).catch((error: Error) => {
        this.broken.set(pkg.packageName, error.message.split('\n')[0]);
        return undefined;
      });
      for (const plugin of loaded?.plugins ?? []) entries.push({ plugin, origin: pkg.packageName });
    }
    return entries;
  }

  /** Installed plugin packages that could not be loaded, with the reason. */
  readonly broken = new Map<string, string>();

  /** Every loaded package (built-ins excluded), for login flows and emulators. */
  async packages(): Promise<{ name: string; pkg: PipePackage }[]> {
    const all = await Promise.all(this.discovered.map(async (d) => ({ name: d.packageName, pkg: await this.load(d.entry).catch(() => undefined) })));
    return all.filter((p): p is { name: string; pkg: PipePackage } => p.pkg !== undefined);
  }

  async resolve(use: string, kind: PluginKind, fromDir = this.options.cwd): Promise<CatalogEntry> {
    if (use.startsWith('.') || isAbsolute(use)) {
      const path = resolvePath(fromDir, use);
      return { plugin: this.pick(await this.load(path).catch((e) => this.notLoadable(use, kind, e)), use, kind), origin: path };
    }
    const builtin = builtinPlugins.find((p) => p.kind === kind && p.name === use);
    if (builtin) return { plugin: builtin, origin: 'built-in' };
    const byName = await this.installed(use, kind);
    if (byName) return byName;
    let entry: string | undefined;
    try {
      entry = resolvePackage(use, fromDir);
    } catch {
      const available = await this.names(kind); // loads every package, so `broken` is complete
      const broken = [...this.broken].map(([name, why]) => `${name} (${why})`);
      const note = broken.length ? `; these plugin packages failed to load: ${broken.join('; ')}` : '';
      const error = new UnknownPluginError(use, kind, available);
      throw note ? new UnknownPluginError(use, kind, [], error.message + note) : error;
    }
    return { plugin: this.pick(await this.load(entry).catch((e) => this.notLoadable(use, kind, e)), use, kind), origin: use };
  }

  /**
   * The plugin `use` names from the installed packages, loading them one at a time until one has
   * it, so a run loads only the packages its file uses. The result is the one a full listing would
   * give first: folders keep their search order, and only within one folder, where the order is
   * the file system's anyway, the packages whose name shares more words with `use` and its kind
   * are tried first (sink `anaplan` is most likely in `@pipe/sink-anaplan`).
   */
  private async installed(use: string, kind: PluginKind): Promise<CatalogEntry | undefined> {
    const words = new Set([kind, ...use.toLowerCase().split(/[^a-z0-9]+/)]);
    const likeness = (pkg: DiscoveredPackage) =>
      pkg.packageName
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((word) => words.has(word)).length;
    const folders = [...new Set(this.discovered.map((pkg) => pkg.modulesDir))];
    const order = folders.flatMap((folder) => this.discovered.filter((pkg) => pkg.modulesDir === folder).sort((a, b) => likeness(b) - likeness(a)));
    for (const pkg of order) {
      const loaded = await this.load(pkg.entry).catch((error: Error) => {
        this.broken.set(pkg.packageName, error.message.split('\n')[0]);
        return undefined;
      });
      const plugin = loaded?.plugins.find((p) => p.kind === kind && p.name === use);
      if (plugin) return { plugin, origin: pkg.packageName };
    }
    return undefined;
  }

  async names(kind: PluginKind): Promise<string[]> {
    return (await this.entries()).filter((e) => e.plugin.kind === kind).map((e) => e.plugin.name);
  }

  private load(path: string): Promise<PipePackage> {
    let pending = this.loaded.get(path);
    if (!pending) {
      const native = this.options.nativeEntries;
      this.nativeEntries ??= typeof native === 'function' ? native() : (native ?? new Set());
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loading = this.nativeEntries.has(path) ? Promise.resolve().then(() => require(path) as unknown) : loadModule(path);
      this.loaded.set(path, (pending = loading.then(packageFromModule)));
    }
    return pending;
  }

  private pick(pkg: PipePackage, use: string, kind: PluginKind): Plugin {
    const ofKind = pkg.plugins.filter((p) => p.kind === kind);
    if (ofKind.length === 1) return ofKind[0];
    const reason =
      ofKind.length === 0
        ? `"${use}" exports no ${kind} plugin${pkg.plugins.length ? ` (it has: ${pkg.plugins.map((p) => `${p.kind} ${p.name}`).join(', ')})` : ''}`
        : `"${use}" exports several ${kind} plugins (${ofKind.map((p) => p.name).join(', ')}); use: one of their names`;
    throw new UnknownPluginError(use, kind, [], reason);
  }

  private notLoadable(use: string, kind: PluginKind, error: unknown): never {
    throw new UnknownPluginError(use, kind, [], `cannot load ${kind} plugin "${use}": ${(error as Error).message.split('\n')[0]}`);
  }
}
