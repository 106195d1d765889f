/** File and dir sinks through the real binary: output is committed whole or not at all, inside the folder it was given. */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipe, salesCsv, workspace } from './run-pipe';

/** Everything under `dir`, recursively, as relative paths. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
const partials = (dir: string) => tree(dir).filter((p) => p.includes('.pipe-partial') || p.includes('.pipe-previous'));

describe('file and dir sinks: commit or clean', () => {
  it('a dir sink whose chunk meets a folder in its place fails and leaves none of the chunk files, and no temp file', async () => {
    const dir = workspace({
      'data/sales.csv': salesCsv(40_000),
      'p.yml': `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./data/sales.csv } }
    transforms:
      - use: chunk-lines
        with: { chunkSize: 1MB }
    sink: { use: dir, with: { path: ./out, name: "part-{index}.csv" } }
`,
    });
    mkdirSync(join(dir, 'out/part-1.csv'), { recursive: true });
    const run = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(readdirSync(join(dir, 'out'))).toEqual(['part-1.csv']);
    expect(partials(dir)).toEqual([]);
    expect(run.stdout + run.stderr).toContain(`${join(dir, 'out/part-1.csv')} is a folder`);
  });

  it('a file sink whose path is a folder fails with no temp file left', async () => {
    const dir = workspace({
      'data/sales.csv': salesCsv(100),
      'out/keep.txt': 'mine',
      'p.yml': `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./data/sales.csv } }
    sink: { use: file, with: { path: ./out } }
`,
    });
    const run = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(readdirSync(join(dir, 'out'))).toEqual(['keep.txt']);
    expect(partials(dir)).toEqual([]);
    expect(run.stdout + run.stderr).toContain(`${join(dir, 'out')} is a folder`);
  });

  it('a dir sink name of ".." is refused by pipe validate at its line', async () => {
    const dir = workspace({
      'data/sales.csv': salesCsv(10),
      'p.yml': `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./data/sales.csv } }
    sink:
      use: dir
      with:
        path: ./out
        name: ".."
`,
    });
    const validate = await pipe(['validate', 'p.yml'], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(validate.stdout + validate.stderr).toMatch(
      /p\.yml:9:\d+: pipelines\.sales\.sink\.with\.name: the name template must render a file name inside the folder/,
    );
    const run = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(tree(dir)).toEqual(['data', join('data', 'sales.csv'), 'p.yml']);
  });
});

describe('two sinks writing one path', () => {
  it.each([
    ['two file sinks', 'file', './out/sales.csv', 'file', './out/../out/sales.csv', `file OUT/sales.csv`],
    ['a dir sink and a file sink', 'dir', './out', 'file', 'out', `file OUT`],
  ])('%s: pipe validate and pipe run exit 2 at the second sink, naming both pipelines', async (_, firstUse, firstPath, secondUse, secondPath, label) => {
    const dir = workspace({
      'data/sales.csv': salesCsv(10),
      'p.yml': `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./data/sales.csv } }
    sink: { use: ${firstUse}, with: { path: ${firstPath} } }
  archive:
    source: { use: file, with: { path: ./data/sales.csv } }
    sink:
      use: ${secondUse}
      with: { path: ${secondPath} }
`,
    });
    const expected = `p.yml:10:13: pipelines.archive.sink.with: pipelines "sales" and "archive" both write ${label.replace('OUT', join(dir, 'out'))}`;
    for (const command of ['validate', 'run']) {
      const result = await pipe([command, 'p.yml'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).toContain(expected);
    }
    expect(tree(dir)).toEqual(['data', join('data', 'sales.csv'), 'p.yml']);
  });
});
