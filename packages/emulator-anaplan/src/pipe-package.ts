/**
 * What the CLI loads from this package (its `pipe.plugins` entry): no plugins, one emulator,
 * `pipe emulate anaplan`. Small on purpose: listing it loads no emulator code.
 */
import type { PipePackage } from '@pipe/core';
import { anaplanEmulatorProvider } from './emulator-provider';

export { anaplanEmulatorProvider } from './emulator-provider';

export const pipePackage: PipePackage = {
  plugins: [],
  emulators: { anaplan: anaplanEmulatorProvider },
};
