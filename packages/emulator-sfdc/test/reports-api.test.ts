import { DEFAULT_REPORT_IDS, OPPORTUNITY_REPORT_COLUMNS, startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, jwtLogin, postJson, restUrl } from './helpers';

interface ReportResult {
  attributes: Record<string, unknown>;
  allData: boolean;
  hasDetailRows: boolean;
  factMap: Record<string, { aggregates: { label: string; value: number }[]; rows?: { dataCells: { label: string; value: unknown }[] }[] }>;
  reportMetadata: Record<string, unknown>;
}

describe('Reports REST API', () => {
  let emulator: SfdcEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startSfdcEmulator();
    token = (await jwtLogin(emulator)).access_token;
  });
  afterAll(() => emulator.stop());

  const reportUrl = (id: string, suffix = ''): string => restUrl(emulator, `/analytics/reports/${id}${suffix}`);

  it('describes a tabular report: name, detail columns, format', async () => {
    const res = await call(reportUrl(DEFAULT_REPORT_IDS.openPipeline, '/describe'), { token });
    expect(res.status).toBe(200);
    const body = res.json<{ reportMetadata: Record<string, unknown>; reportExtendedMetadata: { detailColumnInfo: Record<string, { label: string }> } }>();
    expect(body.reportMetadata).toMatchObject({
      id: '00O5e000008abcdEAA',
      name: 'Open Pipeline',
      reportFormat: 'TABULAR',
      detailColumns: OPPORTUNITY_REPORT_COLUMNS.map((c) => c.name),
    });
    expect(body.reportExtendedMetadata.detailColumnInfo.AMOUNT.label).toBe('Amount');
  });

  it('finds a report by its 15-character id too', async () => {
    expect((await call(reportUrl('00O5e000008abcd', '/describe'), { token })).status).toBe(200);
  });

  it('answers 404 NOT_FOUND for an unknown report', async () => {
    const res = await call(reportUrl('00O5e000009zzzzAAA', '/describe'), { token });
    expect(res.status).toBe(404);
    expect(res.json()).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('answers 403 INSUFFICIENT_ACCESS for a report the user may not run', async () => {
    for (const suffix of ['/describe', '?includeDetails=false']) {
      const res = await call(reportUrl(DEFAULT_REPORT_IDS.restrictedForecast, suffix), { token });
      expect(res.status).toBe(403);
      expect(res.json<{ errorCode: string }[]>()[0].errorCode).toBe('INSUFFICIENT_ACCESS');
    }
  });

  it('includeDetails=false returns the record count in factMap["T!T"].aggregates and no rows', async () => {
    const res = await call(reportUrl(DEFAULT_REPORT_IDS.openPipeline, '?includeDetails=false'), { token });
    const body = res.json<ReportResult>();
    expect(body.factMap['T!T'].aggregates).toEqual([{ label: '5,000', value: 5000 }]);
    expect(body.factMap['T!T'].rows).toBeUndefined();
    expect(body.hasDetailRows).toBe(false);
    expect(body.attributes).toMatchObject({ reportId: '00O5e000008abcdEAA', reportName: 'Open Pipeline', type: 'Report' });
  });

  it('includeDetails=true caps detail rows at 2,000 and sets allData=false', async () => {
    const body = (await call(reportUrl(DEFAULT_REPORT_IDS.openPipeline, '?includeDetails=true'), { token })).json<ReportResult>();
    expect(body.allData).toBe(false);
    expect(body.factMap['T!T'].rows).toHaveLength(2000);
    expect(body.factMap['T!T'].aggregates[0].value).toBe(5000);
    const cells = body.factMap['T!T'].rows![0].dataCells;
    expect(cells).toHaveLength(OPPORTUNITY_REPORT_COLUMNS.length);
    const amount = body.factMap['T!T'].rows!.map((r) => r.dataCells[5]).find((c) => c.value !== null)!;
    expect(amount).toEqual({ label: expect.stringMatching(/^\$[\d,]+\.\d\d$/), value: { amount: expect.any(Number), currency: null } });
  });

  it('a report under the cap comes back whole with allData=true, also through POST', async () => {
    const res = await postJson(reportUrl(DEFAULT_REPORT_IDS.closedWon, '?includeDetails=true'), { reportMetadata: { reportFilters: [] } }, token);
    const body = res.json<ReportResult>();
    expect(body.allData).toBe(true);
    expect(body.factMap['T!T'].rows).toHaveLength(1200);
  });

  it('POST with a non-JSON body is refused', async () => {
    const res = await call(reportUrl(DEFAULT_REPORT_IDS.closedWon), { method: 'POST', token, headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
  });

  it('runs asynchronously: instance New -> Running -> Success with the same result', async () => {
    const created = await call(reportUrl(DEFAULT_REPORT_IDS.openPipeline, '/instances'), { method: 'POST', token });
    const instance = created.json<{ id: string; status: string; url: string }>();
    expect(instance.status).toBe('New');
    expect(instance.id).toMatch(/^0LG/);
    const first = (await call(`${emulator.url}${instance.url}`, { token })).json<ReportResult>();
    expect(first.attributes.status).toBe('Running');
    const second = (await call(`${emulator.url}${instance.url}`, { token })).json<ReportResult>();
    expect(second.attributes).toMatchObject({ status: 'Success', type: 'ReportInstance' });
    expect(second.factMap['T!T'].aggregates[0].value).toBe(5000);
    const list = (await call(reportUrl(DEFAULT_REPORT_IDS.openPipeline, '/instances'), { token })).json<{ id: string }[]>();
    expect(list.map((i) => i.id)).toContain(instance.id);
  });
});
