import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPiece, docEnd, docFailed, type Piece } from '../../src';
import * as testing from '../../src/testing';
import { chunkLines, dirSink, fileSink, fileSource } from '../../src/engine';
import { project } from '../helpers';

const a = { id: 'a', name: 'alpha' };
/** Everything under `dir`, recursively, as relative paths. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
const b = { id: 'b', name: 'beta' };

describe('file source', () => {
  it('streams the file as one document, in pieces of readSize', async () => {
    const dir = project({ 'in.csv': 'x'.repeat(10_000) });
    const ctx = testing.createTestContext({ cwd: dir });
    const pieces = await testing.runSource(fileSource, { path: 'in.csv', readSize: 4096 }, ctx);
    expect(pieces.filter((p) => p.type === 'data').map((p) => (p as { data: Buffer }).data.length)).toEqual([4096, 4096, 1808]);
    expect(pieces[pieces.length - 1]).toEqual({ type: 'end', doc: { id: join(dir, 'in.csv'), name: 'in' } });
    expect(ctx.progressCounts).toMatchObject({ bytes: 10_000, expectedBytes: 10_000 });
  });

  it('says clearly when the path is missing, not a file, or under a file', async () => {
    const dir = project({ 'in.csv': 'x' });
    const ctx = testing.createTestContext({ cwd: dir });
    await expect(testing.runSource(fileSource, { path: 'nope.csv' }, ctx)).rejects.toThrow(`file not found: ${join(dir, 'nope.csv')}`);
    await expect(testing.runSource(fileSource, { path: '.' }, ctx)).rejects.toThrow('is not a file');
    // A path whose parent is a file cannot be reached by anyone, root included.
    await expect(testing.runSource(fileSource, { path: 'in.csv/data.csv' }, ctx)).rejects.toThrow(`not a directory, stat '${join(dir, 'in.csv', 'data.csv')}'`);
  });

  it('says clearly when the file is not readable; as root, the read runs as user nobody, whom the permissions stop', async () => {
    const dir = project({ 'secret.csv': 'x' });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'secret.csv'), 0o000);
    if (process.getuid?.() !== 0) {
      await expect(testing.runSource(fileSource, { path: 'secret.csv' }, testing.createTestContext({ cwd: dir }))).rejects.toThrow('permission denied');
      return;
    }
    // Root reads anything, so a child process drops to nobody first (the build of core: `tsc -b` runs before jest).
    const script = `const { fileSource } = require(${JSON.stringify(join(__dirname, '../../dist/engine'))});
      const testing = require(${JSON.stringify(join(__dirname, '../../dist/testing'))});
      testing.runSource(fileSource, { path: 'secret.csv' }, testing.createTestContext({ cwd: ${JSON.stringify(dir)} }))
        .then(() => console.log('read it'), (error) => console.log(error.message));`;
    const child = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(child.stdout.trim()).toBe(`file not readable (permission denied): ${join(dir, 'secret.csv')}`);
  });
});

describe('chunk-lines transform', () => {
  it('numbers chunks per document, even when documents interleave', async () => {
    const input: Piece[] = [dataPiece(a, Buffer.from('1\n2\n')), dataPiece(b, Buffer.from('x\ny\n')), dataPiece(a, Buffer.from('3\n')), docEnd(a), docEnd(b)];
    const out = await testing.runTransform(chunkLines, { chunkSize: 1_000_000 }, input);
    expect(out.map((p) => [p.type, p.doc.name, p.type === 'data' ? `${p.chunk}:${p.data}` : ''])).toEqual([
      ['data', 'alpha', '0:1\n2\n3\n'],
      ['end', 'alpha', ''],
      ['data', 'beta', '0:x\ny\n'],
      ['end', 'beta', ''],
    ]);
  });
});

describe('file sink', () => {
  it('writes atomically: nothing under the real name until the document ends', async () => {
    const dir = project({});
    const ctx = testing.createTestContext({ cwd: dir });
    const failing = async function* () {
      yield dataPiece(a, Buffer.from('half'));
      throw new Error('upstream broke');
    };
    await expect(testing.runSink(fileSink, { path: 'out/x.csv' }, failing(), ctx)).rejects.toThrow('upstream broke');
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
    const result = await testing.runSink(fileSink, { path: 'out/x.csv' }, testing.documentPieces('a,b\n', a), ctx);
    expect(readFileSync(join(dir, 'out/x.csv'), 'utf8')).toBe('a,b\n');
    expect(result.outputs).toEqual([join(dir, 'out/x.csv')]);
  });

  it('refuses input that never completes, and several documents', async () => {
    const dir = project({});
    const ctx = testing.createTestContext({ cwd: dir });
    await expect(testing.runSink(fileSink, { path: 'x.csv' }, [dataPiece(a, Buffer.from('x'))], ctx)).rejects.toThrow('before its document was complete');
    await expect(testing.runSink(fileSink, { path: 'x.csv' }, [...testing.documentPieces('1', a), ...testing.documentPieces('2', b)], ctx)).rejects.toThrow(
      'use the dir sink',
    );
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});

describe('file sink: commit or clean', () => {
  it('a path where a folder stands fails with no temp file left', async () => {
    const dir = project({ 'out/keep.txt': 'x' });
    const ctx = testing.createTestContext({ cwd: dir });
    await expect(testing.runSink(fileSink, { path: 'out' }, testing.documentPieces('a,b\n', a), ctx)).rejects.toThrow(`${join(dir, 'out')} is a folder`);
    expect(tree(dir)).toEqual(['out', join('out', 'keep.txt')]);
  });

  it('commits only on the end of the document, not on any other piece', async () => {
    const dir = project({});
    const ctx = testing.createTestContext({ cwd: dir });
    const unknown = { type: 'progress', doc: a } as unknown as Piece;
    await expect(testing.runSink(fileSink, { path: 'x.csv' }, [dataPiece(a, Buffer.from('half')), unknown], ctx)).rejects.toThrow(
      'before its document was complete',
    );
    expect(tree(dir)).toEqual([]);
  });

  it('refuses at validation a path that names a folder, and declares its file as a unique target', () => {
    expect(fileSink.checkConfig!({ path: '..', durable: true })).toEqual([{ path: ['path'], message: expect.stringContaining('must end in a file name') }]);
    expect(fileSink.checkConfig!({ path: 'out/', durable: true })).toHaveLength(1);
    expect(fileSink.checkConfig!({ path: 'out/x.csv', durable: true })).toEqual([]);
    expect(fileSink.targets!({ path: 'out/x.csv', durable: true }, { resolvePath: (p) => join('/project', p) })).toEqual([
      { key: `path:${join('/project', 'out/x.csv')}`, label: `file ${join('/project', 'out/x.csv')}`, sharing: 'unique' },
    ]);
  });
});

describe('dir sink: commit or clean', () => {
  it("a chunk that cannot be renamed into place takes the document's other chunks back out", async () => {
    const dir = project({});
    const ctx = testing.createTestContext({ cwd: dir });
    const input = async function* () {
      yield dataPiece(a, Buffer.from('a0'), 0);
      yield dataPiece(a, Buffer.from('a1'), 1);
      yield dataPiece(a, Buffer.from('a2'), 2);
      // After the chunk files exist, before the document ends: something puts a folder in the way.
      mkdirSync(join(dir, 'out/alpha-2.csv'));
      yield docEnd(a);
    };
    await expect(testing.runSink(dirSink, { path: 'out', name: '{name}-{index}.csv' }, input(), ctx)).rejects.toThrow('alpha-2.csv is a folder');
    expect(tree(dir)).toEqual(['out', join('out', 'alpha-2.csv')]);
  });

  it('a failed commit puts back the files of an earlier run it had replaced, never a mix', async () => {
    const dir = project({ 'out/alpha-0.csv': 'old 0', 'out/alpha-1.csv': 'old 1' });
    const ctx = testing.createTestContext({ cwd: dir });
    const input = async function* () {
      yield dataPiece(a, Buffer.from('new 0'), 0);
      yield dataPiece(a, Buffer.from('new 1'), 1);
      yield dataPiece(a, Buffer.from('new 2'), 2);
      mkdirSync(join(dir, 'out/alpha-2.csv'));
      yield docEnd(a);
    };
    await expect(testing.runSink(dirSink, { path: 'out', name: '{name}-{index}.csv' }, input(), ctx)).rejects.toThrow('is a folder');
    expect(tree(dir)).toEqual(['out', join('out', 'alpha-0.csv'), join('out', 'alpha-1.csv'), join('out', 'alpha-2.csv')]);
    expect(['alpha-0.csv', 'alpha-1.csv'].map((f) => readFileSync(join(dir, 'out', f), 'utf8'))).toEqual(['old 0', 'old 1']);
  });

  it('a document name that would leave the folder is refused, with nothing written anywhere', async () => {
    const dir = project({ 'project/pipe.yml': '' });
    const ctx = testing.createTestContext({ cwd: join(dir, 'project') });
    const dotdot = { id: 'r', name: '..' };
    await expect(testing.runSink(dirSink, { path: 'out', name: '{name}' }, testing.documentPieces('x\n', dotdot), ctx)).rejects.toThrow(
      `gives document ".." a name that is not a file inside ${join(dir, 'project', 'out')}`,
    );
    expect(tree(dir)).toEqual(['project', join('project', 'pipe.yml')]);
  });

  it('refuses at validation a name template that is not a file name, and declares its folder as a unique target', () => {
    for (const name of ['.', '..']) {
      expect(dirSink.checkConfig!({ path: 'out', name, durable: true })).toEqual([
        { path: ['name'], message: expect.stringContaining('must render a file name') },
      ]);
    }
    expect(dirSink.checkConfig!({ path: 'out', name: '{name}-{index}.csv', durable: true })).toEqual([]);
    expect(dirSink.targets!({ path: 'out', name: '{name}.csv', durable: true }, { resolvePath: (p) => join('/project', p) })).toEqual([
      { key: `path:${join('/project', 'out')}`, label: `folder ${join('/project', 'out')}`, sharing: 'unique' },
    ]);
  });
});

describe('dir sink', () => {
  it('a failed document leaves none of its files; the others are written', async () => {
    const dir = project({});
    const ctx = testing.createTestContext({ cwd: dir });
    const input: Piece[] = [
      dataPiece(a, Buffer.from('a0'), 0),
      dataPiece(b, Buffer.from('b0'), 0),
      dataPiece(a, Buffer.from('a1'), 1),
      docFailed(b, new Error('report cut mid-body')),
      docEnd(a),
    ];
    const result = await testing.runSink(dirSink, { path: 'out', name: '{name}-{index}.csv' }, input, ctx);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['alpha-0.csv', 'alpha-1.csv']);
    expect(result.documents).toEqual([{ doc: a, outputs: [join(dir, 'out/alpha-0.csv'), join(dir, 'out/alpha-1.csv')] }]);
    expect(ctx.logLines.join('')).toContain('document "beta" failed');
  });

  it('writes one file per document when the input is not chunked, and rejects a template that collides', async () => {
    const dir = project({});
    const ctx = testing.createTestContext({ cwd: dir });
    await testing.runSink(
      dirSink,
      { path: 'out', name: '{name}.csv' },
      [...testing.documentPieces('x,y\n1,2\n', a, 3), ...testing.documentPieces('z\n', b)],
      ctx,
    );
    expect(readFileSync(join(dir, 'out/alpha.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(readFileSync(join(dir, 'out/beta.csv'), 'utf8')).toBe('z\n');
    const chunked = [dataPiece(a, Buffer.from('1'), 0), dataPiece(a, Buffer.from('2'), 1), docEnd(a)];
    await expect(testing.runSink(dirSink, { path: 'out2', name: 'same.csv' }, chunked, ctx)).rejects.toThrow('add {index}');
    expect(existsSync(join(dir, 'out2')) ? readdirSync(join(dir, 'out2')) : []).toEqual([]);
  });
});
