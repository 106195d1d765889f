/** Where the CLI itself is installed: its node_modules holds the plugin packages it ships with. */
import { join } from 'node:path';

export const CLI_ROOT = join(__dirname, '..');
export const CLI_NODE_MODULES = join(CLI_ROOT, 'node_modules');
