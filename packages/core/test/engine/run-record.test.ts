import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  failedSince,
  loadRunRecord,
  runRecordPath,
  saveRunRecord,
  saveRunRecordSync,
  type DocumentOutcome,
  type PipelineOutcome,
  type RunOutcome,
} from '../../src/engine';
import { settleDocuments } from '../../src/engine/document-delivery';
import { project } from '../helpers';

function run(file: string, pipelines: Partial<PipelineOutcome>[]): RunOutcome {
  return {
    runId: 'r1',
    file,
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    status: pipelines.every((p) => p.status === 'succeeded') ? 'succeeded' : 'failed',
    exitCode: 0,
    pipelines: pipelines.map((p) => ({ name: 'copy', status: 'succeeded', durationMs: 1, attempts: 1, bytes: 0, documents: [], progress: {}, ...p })),
  };
}

describe('run records', () => {
  it('are kept per pipeline file: two files in one folder with the same pipeline names never read each other', async () => {
    const dir = project({});
    const stateDir = join(dir, '.pipe');
    const a = join(dir, 'a.yml');
    const b = join(dir, 'b.yml');
    expect(runRecordPath(stateDir, a)).not.toBe(runRecordPath(stateDir, b));
    await saveRunRecord(stateDir, run(a, [{ status: 'failed' }]));
    await saveRunRecord(stateDir, run(b, [{ status: 'succeeded' }]));
    expect(failedSince(await loadRunRecord(stateDir, a)).pipelines).toEqual(['copy']);
    expect(failedSince(await loadRunRecord(stateDir, b)).pipelines).toEqual([]);
  });

  it("a file never run has no record, whatever the folder's other files did", async () => {
    const dir = project({});
    const stateDir = join(dir, '.pipe');
    saveRunRecordSync(stateDir, run(join(dir, 'a.yml'), [{ status: 'failed' }]));
    await expect(loadRunRecord(stateDir, join(dir, 'b.yml'))).rejects.toMatchObject({ code: 'NO_RUN_RECORD', exitCode: 2 });
  });

  it('a record a power cut left empty says so and what to do, instead of a JSON parse error', async () => {
    const dir = project({});
    const stateDir = join(dir, '.pipe');
    const file = join(dir, 'a.yml');
    await saveRunRecord(stateDir, run(file, [{ status: 'failed' }]));
    writeFileSync(runRecordPath(stateDir, file), '');
    await expect(loadRunRecord(stateDir, file)).rejects.toMatchObject({
      code: 'NO_RUN_RECORD',
      exitCode: 2,
      message: expect.stringMatching(/cannot be read \(0 bytes, not JSON\); run without --only-failed$/),
    });
  });

  it('the folder-wide record of earlier versions is still read, for the file it belongs to', async () => {
    const dir = project({});
    const stateDir = join(dir, '.pipe');
    await saveRunRecord(stateDir, run(join(dir, 'other.yml'), []));
    writeFileSync(join(stateDir, 'last-run.json'), JSON.stringify(run(join(dir, 'a.yml'), [{ status: 'failed' }])));
    expect(failedSince(await loadRunRecord(stateDir, join(dir, 'a.yml'))).pipelines).toEqual(['copy']);
    await expect(loadRunRecord(stateDir, join(dir, 'b.yml'))).rejects.toMatchObject({ code: 'NO_RUN_RECORD' });
  });
});

describe('settleDocuments: a document succeeds only when the sink delivered it', () => {
  const doc = (id: string, status: DocumentOutcome['status'] = 'incomplete', rows?: number): DocumentOutcome => ({ id, name: id, status, bytes: 1, rows });

  it('ended documents succeed when the sink finished', () => {
    const docs = [doc('a'), doc('b', 'failed')];
    settleDocuments(docs, new Set(['a']), 'delivered');
    expect(docs.map((d) => d.status)).toEqual(['succeeded', 'failed']);
  });

  it('an ended document is interrupted, not succeeded, when the run stops before the sink finished', () => {
    const docs = [doc('a'), doc('b')];
    settleDocuments(docs, new Set(['a']), 'interrupted');
    expect(docs.map((d) => d.status)).toEqual(['interrupted', 'interrupted']);
  });

  it('an ended document is failed, and says why, when the pipeline fails before the sink finished', () => {
    const docs = [doc('a'), doc('b')];
    settleDocuments(docs, new Set(['a']), 'failed');
    expect(docs).toMatchObject([
      { status: 'failed', error: 'not delivered: the pipeline failed before the sink finished it' },
      { status: 'failed', error: 'cut short: the pipeline failed before the document ended' },
    ]);
  });

  it("what the sink's DocumentResult names was delivered; its rows count when the source did not count", () => {
    const docs = [doc('a'), doc('b', 'incomplete', 5)];
    settleDocuments(docs, new Set(['a', 'b']), 'delivered', {
      documents: [
        { doc: { id: 'a', name: 'a' }, rows: 3, outputs: ['file-a'] },
        { doc: { id: 'b', name: 'b' }, rows: 4 },
      ],
    });
    expect(docs).toMatchObject([
      { status: 'succeeded', rows: 3, outputs: ['file-a'] },
      { status: 'succeeded', rows: 5 },
    ]);
  });
});
