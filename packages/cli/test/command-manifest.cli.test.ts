/**
 * oclif.manifest.json lets pipe start without loading every command, and oclif trusts it whenever
 * it exists: a command compiled after it must still be found, listed in help and run. Tested on a
 * copy of the built CLI (its bin, dist and package.json, its node_modules linked), with a command
 * added to the copy's dist.
 */
import { cpSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe as runPipe, workspace } from './run-pipe';

const CLI = join(__dirname, '..');

/** A command the manifest has never seen. */
const helloCommand = (summary: string) => `const { Command } = require('@oclif/core');
class Hello extends Command {
  static summary = ${JSON.stringify(summary)};
  async run() { this.log('hello from a command compiled after the manifest'); }
}
exports.default = Hello;
`;

/** The copy's `pipe`, run with `args`. */
function copyOfPipe(root: string) {
  return async (args: string[]) => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), ...args], { cwd: workspace({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  };
}

it('a command compiled after the manifest was written is listed by help and runs; a changed one shows its new help', async () => {
  // The real CLI writes its manifest on its first start if the build did not.
  expect((await runPipe(['--version'], { cwd: workspace({}) })).code).toBe(0);
  const root = mkdtempSync(join(tmpdir(), 'pipe-cli-copy-'));
  for (const part of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) cpSync(join(CLI, part), join(root, part), { recursive: true });
  symlinkSync(join(CLI, 'node_modules'), join(root, 'node_modules'), 'dir');
  const manifest = join(root, 'oclif.manifest.json');
  const later = new Date(Date.now() + 60_000);
  utimesSync(manifest, later, later); // newer than every compiled file: current, except that it lacks hello
  writeFileSync(join(root, 'dist', 'commands', 'hello.js'), helloCommand('Say hello.'));
  const pipe = copyOfPipe(root);

  const hello = await pipe(['hello']);
  expect(hello).toMatchObject({ code: 0, stdout: 'hello from a command compiled after the manifest\n' });
  expect((await pipe(['help'])).stdout).toMatch(/\n\s+hello\s+Say hello\.\n/);
  expect(Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).commands)).toContain('hello');

  // Recompiled with other help: newer than the manifest, which is written again.
  writeFileSync(join(root, 'dist', 'commands', 'hello.js'), helloCommand('Say hello, again.'));
  const newer = new Date(Date.now() + 120_000);
  utimesSync(join(root, 'dist', 'commands', 'hello.js'), newer, newer);
  expect((await pipe(['help'])).stdout).toMatch(/\n\s+hello\s+Say hello, again\.\n/);
});
