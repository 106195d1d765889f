/** Reading plugins out of whatever a module exports: a plugin, a list, or a PipePackage. */
import type { Plugin, PipePackage } from './contract';

export function isPlugin(value: unknown): value is Plugin {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    (v.kind === 'source' || v.kind === 'transform' || v.kind === 'sink') &&
    typeof v.config === 'object' &&
    (typeof v.open === 'function' || typeof v.create === 'function' || typeof v.consume === 'function')
  );
}

function isPipePackage(value: unknown): value is PipePackage {
  return !!value && typeof value === 'object' && Array.isArray((value as PipePackage).plugins);
}

/** The PipePackage a module stands for: its `pipePackage` or default export, or every plugin it exports. */
export function packageFromModule(moduleExports: unknown): PipePackage {
  const mod = (moduleExports ?? {}) as Record<string, unknown>;
  for (const candidate of [mod.pipePackage, mod.default, mod]) if (isPipePackage(candidate)) return candidate;
  if (isPlugin(mod)) return { plugins: [mod] };
  if (isPlugin(mod.default)) return { plugins: [mod.default] };
  const plugins = new Set<Plugin>();
  for (const value of Object.values(mod)) if (isPlugin(value)) plugins.add(value);
  if (mod.default && typeof mod.default === 'object') for (const value of Object.values(mod.default)) if (isPlugin(value)) plugins.add(value);
  return { plugins: [...plugins] };
}
