#!/usr/bin/env node
/**
 * `pnpm run pack` (after `tsc -b`): an npm tarball of every publishable package in packages/,
 * written to packed/ (or `--out DIR`). pnpm packs them, so `workspace:^` becomes the real version
 * range; installed together, `npm install -g packed/*.tgz`, each finds pipe's own packages among
 * the tarballs and takes only third-party ones from the registry.
 *
 * Each file is named NAME@VERSION.tgz (pipe-cli@0.1.0.tgz), not pnpm's NAME-VERSION.tgz: npm reads
 * an argument like `packed/pipe-cli-0.1.0.tgz` as a GitHub repository (owner/repo), and an `@`
 * before any `#` is what makes it a file path again.
 *
 * A package is packed from its dist/, so output left there by a source file that no longer exists
 * would be shipped: such a build fails here, with the command that cleans it.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const root = join(__dirname, '..');
const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag === -1 ? join(root, 'packed') : process.argv[outFlag + 1]);

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(1);
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} in ${relative(root, cwd) || '.'} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Compiled files under dist/ whose source under src/ is gone (files the build generates, `*.generated.js`, are written anew below). */
function staleOutputs(packageDir) {
  const stale = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js') && !name.endsWith('.generated.js')) {
        const source = join(packageDir, 'src', relative(join(packageDir, 'dist'), path)).replace(/\.js$/, '.ts');
        if (!existsSync(source)) stale.push(relative(root, path));
      }
    }
  };
  walk(join(packageDir, 'dist'));
  return stale;
}

const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);

for (const dir of packages) {
  if (!existsSync(join(dir, 'dist'))) fail(`${relative(root, dir)} is not built: run \`npx tsc -b\` first`);
  const stale = staleOutputs(dir);
  if (stale.length)
    fail(
      `built files without a source would be shipped (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}): run \`npx -y pnpm@9 clean && npx -y pnpm@9 run pack\``,
    );
}

// The CLI ships its command manifest, written from dist/ (failing if a command does not load), and
// the validators precompiled for its schemas.
run(process.execPath, [join(root, 'packages/cli/scripts/build.js')], root);

mkdirSync(out, { recursive: true });
for (const name of readdirSync(out)) if (name.endsWith('.tgz')) rmSync(join(out, name));
for (const dir of packages) {
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const base = name.replace(/^@/, '').replace('/', '-');
  run('npx', ['-y', 'pnpm@9', 'pack', '--pack-destination', out], dir);
  renameSync(join(out, `${base}-${version}.tgz`), join(out, `${base}@${version}.tgz`));
}
for (const name of readdirSync(out).sort()) console.log(relative(process.cwd(), join(out, name)) || name);
