import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipe, workspace } from './run-pipe';

const REPO = join(__dirname, '..', '..', '..');

describe('pipe plugins new', () => {
  it.each(['source', 'transform', 'sink'])('scaffolds a %s package whose own test passes', async (kind) => {
    const dir = workspace({});
    const result = await pipe(['plugins', 'new', kind, `my-${kind}`], { cwd: dir });
    expect(result.code).toBe(0);
    const pkgDir = join(dir, `pipe-plugin-my-${kind}`);
    expect(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))).toMatchObject({ name: `pipe-plugin-my-${kind}`, pipe: { plugins: './dist/index.js' } });
    // Run the scaffold's own jest test against this repo's core, as `npm test` would after `npm install`.
    const config = {
      rootDir: pkgDir,
      testEnvironment: 'node',
      testMatch: ['**/test/**/*.test.ts'],
      transform: { '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: join(REPO, 'tsconfig.test.json') }] },
      moduleNameMapper: { '^@pipe/core$': join(REPO, 'packages/core/src') },
    };
    const out = execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci'], { cwd: pkgDir, encoding: 'utf8', stdio: 'pipe' });
    expect(out).toBe('');
  });

  it('refuses a bad name and an existing folder', async () => {
    const dir = workspace({ 'pipe-plugin-x/keep': '' });
    expect((await pipe(['plugins', 'new', 'sink', 'Bad_Name'], { cwd: dir })).code).toBe(2);
    const again = await pipe(['plugins', 'new', 'sink', 'x'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
