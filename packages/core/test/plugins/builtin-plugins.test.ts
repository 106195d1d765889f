import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkLines, dataPiece, dirSink, docEnd, docFailed, fileSink, fileSource, testing, type Piece } from '../../src';
import { project } from '../helpers';

const a = { id: 'a', name: 'alpha' };
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

  it('says clearly when the path is missing or unreadable', async () => {
    const dir = project({ 'secret.csv': 'x' });
    const ctx = testing.createTestContext({ cwd: dir });
    await expect(testing.runSource(fileSource, { path: 'nope.csv' }, ctx)).rejects.toThrow(`file not found: ${join(dir, 'nope.csv')}`);
    if (process.getuid?.() !== 0) {
      chmodSync(join(dir, 'secret.csv'), 0o000);
      await expect(testing.runSource(fileSource, { path: 'secret.csv' }, ctx)).rejects.toThrow('permission denied');
    }
    await expect(testing.runSource(fileSource, { path: '.' }, ctx)).rejects.toThrow('is not a file');
  });
});

describe('chunk-lines transform', () => {
  it('numbers chunks per document, even when documents interleave', async () => {
    const input: Piece[] = [
      dataPiece(a, Buffer.from('1\n2\n')),
      dataPiece(b, Buffer.from('x\ny\n')),
      dataPiece(a, Buffer.from('3\n')),
      docEnd(a),
      docEnd(b),
    ];
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
    await expect(testing.runSink(fileSink, { path: 'x.csv' }, [...testing.documentPieces('1', a), ...testing.documentPieces('2', b)], ctx)).rejects.toThrow('use the dir sink');
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
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
    await testing.runSink(dirSink, { path: 'out', name: '{name}.csv' }, [...testing.documentPieces('x,y\n1,2\n', a, 3), ...testing.documentPieces('z\n', b)], ctx);
    expect(readFileSync(join(dir, 'out/alpha.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(readFileSync(join(dir, 'out/beta.csv'), 'utf8')).toBe('z\n');
    const chunked = [dataPiece(a, Buffer.from('1'), 0), dataPiece(a, Buffer.from('2'), 1), docEnd(a)];
    await expect(testing.runSink(dirSink, { path: 'out2', name: 'same.csv' }, chunked, ctx)).rejects.toThrow('add {index}');
    expect(existsSync(join(dir, 'out2')) ? readdirSync(join(dir, 'out2')) : []).toEqual([]);
  });
});
