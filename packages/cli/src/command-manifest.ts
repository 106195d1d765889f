/**
 * oclif.manifest.json lists every command with its flags and help, so `pipe --version`, `pipe help`
 * and each command start without loading every command module. It is a cache of dist/: the build
 * writes it (`oclif manifest`), and oclif trusts it whenever it exists, so a command compiled after
 * it would be missing from `pipe help`, from completion and from the commands pipe can run.
 * The build writes it (scripts/build.js, after `tsc -b`), and bin/run.js checks it before
 * oclif starts, and writes it anew from the compiled commands
 * when it is missing, when the command files under dist/commands are not exactly those it lists,
 * or when a compiled file is newer than it (a command's flags or help may have changed). An installed
 * package ships the manifest with files of the same age, so there the check costs a few stat calls.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plugin } from '@oclif/core';

const MANIFEST = 'oclif.manifest.json';

interface ManifestFile {
  readonly commands: Record<string, { readonly relativePath?: readonly string[] }>;
}

/** Whether the manifest at `root` (the CLI package) still describes every compiled command. */
export function manifestIsCurrent(root: string): boolean {
  const path = join(root, MANIFEST);
  let writtenAt: number;
  let manifest: ManifestFile;
  try {
    writtenAt = statSync(path).mtimeMs;
    manifest = JSON.parse(readFileSync(path, 'utf8')) as ManifestFile;
  } catch {
    return false;
  }
  const listed = new Set(Object.values(manifest.commands).map((command) => join(root, ...(command.relativePath ?? []))));
  const commandsDir = join(root, 'dist', 'commands');
  const commandFiles = compiledFiles(commandsDir);
  if (commandFiles.length !== listed.size || commandFiles.some((file) => !listed.has(file))) return false;
  return compiledFiles(join(root, 'dist')).every((file) => statSync(file).mtimeMs <= writtenAt);
}

/**
 * The .js files under `dir`, at any depth, as absolute paths. Walked by hand: Node 20's
 * `readdirSync(dir, { recursive: true })` takes about 10 ms more, on every start of every command.
 */
function compiledFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) compiledFiles(path, found);
    else if (entry.name.endsWith('.js')) found.push(path);
  }
  return found;
}

/**
 * Writes the manifest from the compiled commands, as `oclif manifest` does. `strict` (the build)
 * fails on a command that does not load; otherwise oclif warns and leaves it out.
 */
export async function writeManifest(root: string, options: { strict: boolean }): Promise<void> {
  const plugin = new Plugin({ root, isRoot: true, ignoreManifest: true, respectNoCacheDefault: true, errorOnManifestCreate: options.strict, type: 'core' });
  await plugin.load();
  // Written aside and renamed into place, so a pipe starting meanwhile reads the old one or the new one, whole.
  const temporary = join(root, `${MANIFEST}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, JSON.stringify(plugin.manifest, null, 2));
    renameSync(temporary, join(root, MANIFEST));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Rewrites the manifest from the compiled commands unless it is current. */
export async function refreshManifest(root: string): Promise<void> {
  if (manifestIsCurrent(root)) return;
  try {
    await writeManifest(root, { strict: false });
  } catch (error) {
    // Without a manifest oclif finds the commands itself; a stale one it would still read: say so.
    if (existsSync(join(root, MANIFEST)))
      process.stderr.write(
        `warning: ${join(root, MANIFEST)} is out of date and could not be rewritten (${(error as Error).message}); rebuild the CLI or delete that file\n`,
      );
  }
}
