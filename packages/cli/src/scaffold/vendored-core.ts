/**
 * The @pipe/core a new plugin package builds against: the one this pipe runs, packed by npm into
 * the package's vendor/ folder. A `file:` tarball installs on any machine, with or without a
 * registry that has @pipe/core, and whatever layout carries this pipe (an npm install, this repo).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, PipeError } from '@pipe/core/errors';

export const VENDOR_DIR = 'vendor';

/** Packs the running core into `packageDir/vendor/`; returns the dependency spec, `file:vendor/NAME.tgz`. */
export function vendorRunningCore(packageDir: string): string {
  const coreDir = dirname(require.resolve('@pipe/core/package.json'));
  const destination = join(packageDir, VENDOR_DIR);
  mkdirSync(destination, { recursive: true });
  const npm = spawnSync('npm', ['pack', coreDir, '--pack-destination', destination, '--json', '--ignore-scripts'], {
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  const packed = npm.status === 0 ? (JSON.parse(npm.stdout) as { filename: string }[])[0] : undefined;
  if (!packed) {
    const why = npm.error?.message ?? npm.stderr.trim().split('\n').pop() ?? `exit ${npm.status}`;
    throw new PipeError(
      `could not pack @pipe/core from ${coreDir} with npm (${why}); install npm, or pass --core-range (e.g. ^0.1.0) to use a published core`,
      {
        exitCode: ExitCode.Failed,
      },
    );
  }
  return `file:${VENDOR_DIR}/${packed.filename}`;
}
