import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipe, workspace } from './run-pipe';

const REPO = join(__dirname, '..', '..', '..');

describe('pipe plugins new', () => {
  it.each(['source', 'transform', 'sink'])('scaffolds a %s package whose own test passes', async (kind) => {
    const dir = workspace({});
    const result = await pipe(['plugins', 'new', kind, `my-${kind}`], { cwd: dir });
    expect(result.code).toBe(0);
    const pkgDir = join(dir, `pipe-plugin-my-${kind}`);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: `pipe-plugin-my-${kind}`, pipe: { plugins: './dist/index.js' } });
    // The core of the pipe that made it, packed beside it: installs where no registry has @pipe/core.
    expect(manifest.devDependencies['@pipe/core']).toBe('file:vendor/pipe-core-0.1.0.tgz');
    expect(existsSync(join(pkgDir, 'vendor', 'pipe-core-0.1.0.tgz'))).toBe(true);
    // Run the scaffold's own jest test against this repo's core, as `npm test` would after `npm install`.
    const config = {
      rootDir: pkgDir,
      testEnvironment: 'node',
      testMatch: ['**/test/**/*.test.ts'],
      transform: { '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: join(REPO, 'tsconfig.test.json') }] },
      moduleNameMapper: { '^@pipe/core$': join(REPO, 'packages/core/src'), '^@pipe/core/testing$': join(REPO, 'packages/core/src/testing') },
    };
    const out = execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci'], {
      cwd: pkgDir,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(out).toBe('');
  });

  it('--core-range depends on a published core instead of packing one', async () => {
    const dir = workspace({});
    expect((await pipe(['plugins', 'new', 'sink', 'published', '--core-range', '^0.1.0'], { cwd: dir })).code).toBe(0);
    const pkgDir = join(dir, 'pipe-plugin-published');
    expect(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).devDependencies['@pipe/core']).toBe('^0.1.0');
    expect(existsSync(join(pkgDir, 'vendor'))).toBe(false);
  });

  it('refuses a bad name and an existing folder', async () => {
    const dir = workspace({ 'pipe-plugin-x/keep': '' });
    expect((await pipe(['plugins', 'new', 'sink', 'Bad_Name'], { cwd: dir })).code).toBe(2);
    const again = await pipe(['plugins', 'new', 'sink', 'x'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
