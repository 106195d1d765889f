import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicFile } from '../../src';
import { project } from '../helpers';

/** Everything under `dir`, recursively, as relative paths. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('AtomicFile', () => {
  it('a commit that cannot rename into place leaves no temp file and says what stands in the way', async () => {
    const dir = project({});
    const file = await AtomicFile.create(join(dir, 'out.csv'));
    await file.write(Buffer.from('a,b\n'));
    mkdirSync(join(dir, 'out.csv'));
    await expect(file.commit()).rejects.toThrow(`${join(dir, 'out.csv')} is a folder`);
    await file.discard();
    expect(tree(dir)).toEqual(['out.csv']);
  });

  it('refuses at once a path where a folder stands, before any byte is written', async () => {
    const dir = project({ 'out/keep.txt': 'x' });
    await expect(AtomicFile.create(join(dir, 'out'))).rejects.toThrow('is a folder');
    expect(tree(dir)).toEqual(['out', join('out', 'keep.txt')]);
  });

  it('commits a group all or nothing: one file that cannot be placed takes the others back out', async () => {
    const dir = project({});
    const files = await Promise.all(['0', '1', '2'].map((n) => AtomicFile.create(join(dir, `part-${n}.csv`))));
    for (const f of files) await f.write(Buffer.from('data'));
    mkdirSync(join(dir, 'part-2.csv'));
    await expect(AtomicFile.commitAll(files)).rejects.toThrow('part-2.csv is a folder');
    expect(tree(dir)).toEqual(['part-2.csv']);
  });

  it('a group that fails puts back the files it had replaced', async () => {
    const dir = project({ 'part-0.csv': 'old 0', 'part-1.csv': 'old 1' });
    const files = await Promise.all(['0', '1', '2'].map((n) => AtomicFile.create(join(dir, `part-${n}.csv`))));
    for (const f of files) await f.write(Buffer.from('new'));
    mkdirSync(join(dir, 'part-2.csv'));
    await expect(AtomicFile.commitAll(files, { durable: false })).rejects.toThrow('is a folder');
    expect(tree(dir)).toEqual(['part-0.csv', 'part-1.csv', 'part-2.csv']);
    expect(readFileSync(join(dir, 'part-0.csv'), 'utf8')).toBe('old 0');
    expect(readFileSync(join(dir, 'part-1.csv'), 'utf8')).toBe('old 1');
  });

  it('a group that succeeds replaces the old files and leaves nothing else', async () => {
    const dir = project({ 'part-0.csv': 'old 0' });
    const files = await Promise.all(['0', '1'].map((n) => AtomicFile.create(join(dir, `part-${n}.csv`))));
    for (const f of files) await f.write(Buffer.from('new'));
    await AtomicFile.commitAll(files);
    await Promise.all(files.map((f) => f.discard()));
    expect(tree(dir)).toEqual(['part-0.csv', 'part-1.csv']);
    expect(readFileSync(join(dir, 'part-0.csv'), 'utf8')).toBe('new');
  });

  it('discard removes the temp file and keeps the old file', async () => {
    const dir = project({});
    writeFileSync(join(dir, 'x.csv'), 'old');
    const file = await AtomicFile.create(join(dir, 'x.csv'));
    await file.write(Buffer.from('half'));
    await file.discard();
    expect(tree(dir)).toEqual(['x.csv']);
    expect(readFileSync(join(dir, 'x.csv'), 'utf8')).toBe('old');
    expect(existsSync(file.tempPath)).toBe(false);
  });
});
