/**
 * What the CLI loads from this package (its `pipe.plugins` entry): no plugins, one emulator,
 * `pipe emulate sfdc`. Small on purpose: listing it loads no emulator code.
 */
import type { PipePackage } from '@pipe/core';
import { sfdcEmulatorProvider } from './emulator-provider';

export { sfdcEmulatorProvider } from './emulator-provider';

export const pipePackage: PipePackage = {
  plugins: [],
  emulators: { sfdc: sfdcEmulatorProvider },
};
