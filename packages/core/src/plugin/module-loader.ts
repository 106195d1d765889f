/** Loads a plugin module by path or package name; TypeScript files are compiled on the fly by jiti. */
type Jiti = ReturnType<typeof import('jiti').createJiti>;

let jiti: Jiti | undefined;

export async function loadModule(absolutePathOrSpecifier: string): Promise<unknown> {
  // jiti is loaded on first use: most runs only use built-in and prebuilt plugins.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jiti ??= (require('jiti') as typeof import('jiti')).createJiti(__filename, { interopDefault: false, moduleCache: true });
  return jiti.import(absolutePathOrSpecifier);
}

/** Resolve a package name as Node would from `fromDir`. */
export function resolvePackage(name: string, fromDir: string): string {
  return require.resolve(name, { paths: [fromDir] });
}
