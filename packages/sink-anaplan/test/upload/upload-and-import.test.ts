import * as testing from '@pipe/core/testing';
import {
  chunkPuts,
  completeCalls,
  configFor,
  IDS,
  opportunitiesCsv,
  preCutPieces,
  runAnaplanSink,
  startEmulator,
  type AnaplanEmulator,
} from '../support/anaplan-fixture';

const MB = 1_000_000;
let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});

describe('upload and import', () => {
  it.each(['gzip', 'none'] as const)('compress %s: the file Anaplan assembles is the input byte for byte', async (compress) => {
    const csv = opportunitiesCsv(60_000); // about 4 MB: at least four 1 MB chunks
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { compress, chunkSize: '1MB', import: IDS.import }), testing.documentPieces(csv));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);

    const puts = chunkPuts(emulator).filter((r) => r.seq > before);
    expect(puts.length).toBeGreaterThanOrEqual(Math.ceil(csv.length / MB));
    expect(new Set(puts.map((p) => p.contentType))).toEqual(new Set([compress === 'gzip' ? 'application/x-gzip' : 'application/octet-stream']));
    const sent = puts.reduce((n, p) => n + p.bodyBytes, 0);
    if (compress === 'gzip') expect(sent).toBeLessThan(csv.length / 2);
    else expect(sent).toBe(csv.length);
    expect(new Set(puts.map((p) => p.authScheme))).toEqual(new Set(['AnaplanAuthToken']));

    expect(run.result?.outputs?.[0]).toBe(`Anaplan file ${IDS.file} (Opportunities.csv), ${puts.length} chunks`);
    expect(run.result?.details).toMatchObject({
      fileId: IDS.file,
      chunks: puts.length,
      bytes: csv.length,
      import: { id: IDS.import, successful: true, rowsProcessed: 60_000, rowsSucceeded: 60_000, rowsFailed: 0, rowsIgnored: 0 },
    });
    expect(run.result?.outputs?.[1]).toMatch(/60000 rows processed, 60000 succeeded, 0 failed, 0 ignored/);
    expect(run.ctx.progressCounts).toMatchObject({ bytes: csv.length, chunks: puts.length, retries: 0 });
  });

  it('uses the chunks chunk-lines cut, as they are, and completes once after the last one', async () => {
    const csv = opportunitiesCsv(30_000);
    const pieces = preCutPieces(csv, 1 * MB);
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { compress: 'none' }), pieces, { shape: { chunkSize: 1 * MB } });
    expect(run.error).toBeUndefined();
    const puts = chunkPuts(emulator).filter((r) => r.seq > before);
    expect(puts.length).toBe(pieces.length - 1);
    expect(puts.map((p) => p.bodyBytes).sort()).toEqual(pieces.flatMap((p) => (p.type === 'data' ? [p.data.length] : [])).sort());
    const completes = completeCalls(emulator).filter((r) => r.seq > before);
    expect(completes).toHaveLength(1);
    expect(completes[0].seq).toBeGreaterThan(Math.max(...puts.map((p) => p.seq)));
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    // No import configured: upload only.
    expect(emulator.requests.filter((r) => r.seq > before && r.route === 'imports.tasks.start')).toHaveLength(0);
  });

  it('runs a process instead of an import', async () => {
    const csv = opportunitiesCsv(500);
    const run = await runAnaplanSink(configFor(emulator, { process: 'Load Opportunities' }), testing.documentPieces(csv));
    expect(run.error).toBeUndefined();
    expect(run.result?.details).toMatchObject({ process: { name: 'Load Opportunities', successful: true, rowsSucceeded: 500 } });
  });

  it('sends localeName and mapping parameters with the import task, exactly as configured', async () => {
    const before = emulator.taskStarts().length;
    const mappingParameters = [
      { entityType: 'Version', entityName: 'Actual' },
      { entityType: 'Time', entityName: 'FY25' },
    ];
    const run = await runAnaplanSink(
      configFor(emulator, { import: IDS.import, localeName: 'en_GB', mappingParameters }),
      testing.documentPieces(opportunitiesCsv(10)),
    );
    expect(run.error).toBeUndefined();
    expect(emulator.taskStarts().slice(before)).toEqual([
      { kind: 'import', scope: `${IDS.workspace}/${IDS.model}/import/${IDS.import}`, localeName: 'en_GB', mappingParameters },
    ]);
  });

  it('sends the default locale and no mapping parameters when none are configured', async () => {
    const before = emulator.taskStarts().length;
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), testing.documentPieces(opportunitiesCsv(10)));
    expect(run.error).toBeUndefined();
    expect(emulator.taskStarts().slice(before)).toEqual([{ kind: 'import', scope: `${IDS.workspace}/${IDS.model}/import/${IDS.import}`, localeName: 'en_US' }]);
  });

  it('a failed document never completes the upload', async () => {
    const before = emulator.requests.length;
    const pieces = preCutPieces(opportunitiesCsv(30_000), 1 * MB).slice(0, 2);
    const input = [...pieces, { type: 'failed' as const, doc: pieces[0].doc, error: new Error('report export broke') }];
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), input);
    expect(run.error?.message).toBe('report export broke');
    expect(completeCalls(emulator).filter((r) => r.seq > before)).toHaveLength(0);
    expect(emulator.requests.filter((r) => r.seq > before && r.route === 'imports.tasks.start')).toHaveLength(0);
  });

  it('a document that fails before its first chunk leaves the file in Anaplan untouched', async () => {
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), [
      { type: 'failed' as const, doc: { id: 'r', name: 'Report' }, error: new Error('report not found') },
    ]);
    expect(run.error?.message).toBe('report not found');
    expect(emulator.requests.filter((r) => r.seq > before && r.method !== 'GET' && r.path.startsWith('/2/0'))).toHaveLength(0);
  });

  it('an empty document is an error, and the file in Anaplan is untouched', async () => {
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator), [{ type: 'end' as const, doc: { id: 'r', name: 'Report' } }]);
    expect(run.error?.message).toBe('document "Report" is empty; nothing was uploaded');
    expect(emulator.requests.filter((r) => r.seq > before && r.method !== 'GET' && r.path.startsWith('/2/0'))).toHaveLength(0);
  });

  it('refuses a second document', async () => {
    const a = { id: 'a', name: 'Report A' };
    const b = { id: 'b', name: 'Report B' };
    const input = [...testing.documentPieces('x,y\n1,2\n', a), ...testing.documentPieces('x,y\n3,4\n', b)];
    const run = await runAnaplanSink(configFor(emulator), input);
    expect(run.error?.message).toMatch(/one document per pipeline.*"Report A", "Report B"/);
  });
});
