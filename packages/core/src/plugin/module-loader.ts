/** Loads a plugin module by path or package name; TypeScript files are compiled on the fly by jiti. */
import { join } from 'node:path';

type Jiti = ReturnType<typeof import('jiti').createJiti>;

let jiti: Jiti | undefined;

export async function loadModule(absolutePathOrSpecifier: string): Promise<unknown> {
  // jiti is loaded on first use: most runs only use built-in and prebuilt plugins.
  // `@pipe/core` in a plugin file resolves to the core that is running, wherever the file lives:
  // a one-file plugin needs no node_modules of its own, and shares the engine's module instance.
  // Loaded on first use: most runs load no plugin from a file, and jiti is large.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jiti ??= (require('jiti') as typeof import('jiti')).createJiti(__filename, {
    interopDefault: false,
    moduleCache: true,
    alias: { '@pipe/core': join(__dirname, '..', 'index') },
  });
  return jiti.import(absolutePathOrSpecifier);
}

/** Resolve a package name as Node would from `fromDir`. */
export function resolvePackage(name: string, fromDir: string): string {
  return require.resolve(name, { paths: [fromDir] });
}
