/** Loads a plugin module by path or package name; TypeScript files are compiled on the fly by jiti. */
import { createJiti } from 'jiti';

const jiti = createJiti(__filename, { interopDefault: false, moduleCache: true });

export async function loadModule(absolutePathOrSpecifier: string): Promise<unknown> {
  return jiti.import(absolutePathOrSpecifier);
}

/** Resolve a package name as Node would from `fromDir`. */
export function resolvePackage(name: string, fromDir: string): string {
  return require.resolve(name, { paths: [fromDir] });
}
