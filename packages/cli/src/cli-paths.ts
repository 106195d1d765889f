/** Where the CLI itself is installed: the node_modules that hold the plugin packages it ships with. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const CLI_ROOT = join(__dirname, '..');

/**
 * Its own node_modules and each one above it, as Node would search them: a global npm install
 * nests the CLI's dependencies under it, a project install hoists them beside it.
 */
export const CLI_NODE_MODULES: readonly string[] = (() => {
  const dirs: string[] = [];
  for (let dir = CLI_ROOT; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) dirs.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) return dirs;
  }
})();
