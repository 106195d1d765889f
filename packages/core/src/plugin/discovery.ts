/**
 * Finds installed plugin packages: any package whose package.json has a `pipe.plugins` entry (the
 * module exporting its PipePackage), in the node_modules folders from the pipeline file's directory
 * up to the root, and in the CLI's own. Packages are only listed here; they load when used.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface DiscoveredPackage {
  readonly packageName: string;
  readonly dir: string;
  /** The node_modules folder it was found in: an earlier folder of the search wins a name. */
  readonly modulesDir: string;
  /** Absolute path of the module that exports the PipePackage. */
  readonly entry: string;
  readonly description?: string;
}

interface PackageJson {
  name?: string;
  description?: string;
  pipe?: { plugins?: string };
}

export function nodeModulesChain(from: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) dirs.push(candidate);
    if (dirname(dir) === dir) return dirs;
  }
}

export function discoverPackages(nodeModulesDirs: readonly string[]): DiscoveredPackage[] {
  const found = new Map<string, DiscoveredPackage>();
  for (const modulesDir of nodeModulesDirs) {
    for (const dir of packageDirs(modulesDir)) {
      const manifest = readManifest(dir);
      const entry = manifest?.pipe?.plugins;
      if (!manifest?.name || !entry || found.has(manifest.name)) continue;
      found.set(manifest.name, {
        packageName: manifest.name,
        dir: realpathSync(dir),
        modulesDir,
        entry: resolve(realpathSync(dir), entry),
        description: manifest.description,
      });
    }
  }
  return [...found.values()];
}

function packageDirs(modulesDir: string): string[] {
  const dirs: string[] = [];
  let names: string[];
  try {
    names = readdirSync(modulesDir);
  } catch {
    return dirs;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      try {
        for (const sub of readdirSync(join(modulesDir, name))) dirs.push(join(modulesDir, name, sub));
      } catch {
        // not a directory
      }
    } else {
      dirs.push(join(modulesDir, name));
    }
  }
  return dirs;
}

function readManifest(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}
