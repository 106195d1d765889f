import { DEFAULT_REPORT_IDS, startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, exportUrl, postJson, restUrl } from './helpers';

const FIXED_NOW = Date.UTC(2025, 10, 15, 9, 4, 0);
const REPORT = DEFAULT_REPORT_IDS.openPipeline;

describe('bodyCacheBytes: bodies served again from memory', () => {
  let emulator: SfdcEmulator;
  let sid: string;

  beforeAll(async () => {
    emulator = await startSfdcEmulator({ now: () => FIXED_NOW, bodyCacheBytes: 20_000_000, bulkPollsUntilComplete: 1 });
    sid = emulator.issueSession();
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.faults.clear());

  const expectedExport = () => Buffer.concat([emulator.reportCsv(REPORT), emulator.reportFooter(REPORT, new Date(FIXED_NOW))]);

  it('a report fetched again has the very same bytes', async () => {
    const first = await call(exportUrl(emulator, REPORT), { sid });
    const second = await call(exportUrl(emulator, REPORT), { sid });
    expect(first.body.equals(expectedExport())).toBe(true);
    expect(second.body.equals(first.body)).toBe(true);
  });

  it('faults still act on a kept body: short-export leaves out a row, drop-connection cuts it, and the next fetch is whole', async () => {
    await call(exportUrl(emulator, REPORT), { sid });
    emulator.faults.inject({ kind: 'short-export', missingRows: 1, times: 1 });
    const short = await call(exportUrl(emulator, REPORT), { sid });
    expect(short.text.split('\n').length).toBeLessThan(expectedExport().toString().split('\n').length);
    expect(short.text.endsWith('"Acme Corporation"\n')).toBe(true);
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 10_000, clean: true, times: 1 });
    const cut = await call(exportUrl(emulator, REPORT), { sid });
    expect(cut.body.equals(expectedExport().subarray(0, 10_000))).toBe(true);
    expect((await call(exportUrl(emulator, REPORT), { sid })).body.equals(expectedExport())).toBe(true);
  });

  it('a replaced report serves its new bytes, not the kept ones', async () => {
    const id = '00O5e00000CACHE';
    emulator.addReport({ id, name: 'Cached', rows: 50, seed: 1 });
    await call(exportUrl(emulator, id), { sid });
    emulator.addReport({ id, name: 'Cached', rows: 60, seed: 2 });
    const again = await call(exportUrl(emulator, id), { sid });
    expect(again.body.subarray(0, emulator.reportCsv(id).length).equals(emulator.reportCsv(id))).toBe(true);
  });

  it('a Bulk result page fetched again has the same bytes', async () => {
    const token = emulator.issueSession();
    const job = (await postJson(restUrl(emulator, '/jobs/query'), { operation: 'query', query: 'SELECT Id, Name, Description FROM Opportunity' }, token)).json<{
      id: string;
    }>();
    await call(restUrl(emulator, `/jobs/query/${job.id}`), { token });
    const page = () => call(restUrl(emulator, `/jobs/query/${job.id}/results?maxRecords=3000`), { token });
    const first = await page();
    expect(first.status).toBe(200);
    expect(first.text.startsWith('"Id","Name","Description"\n')).toBe(true);
    expect((await page()).body.equals(first.body)).toBe(true);
  });
});
