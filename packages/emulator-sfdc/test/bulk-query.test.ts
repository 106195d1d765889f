import { gunzipSync } from 'node:zlib';
import { startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, parseCsv, postJson, restUrl } from './helpers';

interface JobInfo {
  id: string;
  state: string;
  object: string;
  numberRecordsProcessed?: number;
  errorMessage?: string;
}

describe('Bulk API 2.0 query', () => {
  let emulator: SfdcEmulator;
  let token: string;
  const jobsUrl = (): string => restUrl(emulator, '/jobs/query');

  beforeAll(async () => {
    emulator = await startSfdcEmulator();
    token = emulator.issueSession();
  });
  afterAll(() => emulator.stop());

  async function completedJob(query: string, extra: Record<string, string> = {}): Promise<JobInfo> {
    const created = await postJson(jobsUrl(), { operation: 'query', query, ...extra }, token);
    expect(created.status).toBe(200);
    const job = created.json<JobInfo>();
    for (let i = 0; i < 5; i++) {
      const polled = (await call(`${jobsUrl()}/${job.id}`, { token })).json<JobInfo>();
      if (polled.state === 'JobComplete') return polled;
    }
    throw new Error('job never completed');
  }

  it('moves a job UploadComplete -> InProgress -> JobComplete with numberRecordsProcessed', async () => {
    const created = await postJson(jobsUrl(), { operation: 'query', query: 'SELECT Id, Name FROM Opportunity' }, token);
    const job = created.json<JobInfo>();
    expect(job).toMatchObject({ state: 'UploadComplete', object: 'Opportunity', id: expect.stringMatching(/^750/) });
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await call(`${jobsUrl()}/${job.id}`, { token })).json<JobInfo>());
    expect(states.map((s) => s.state)).toEqual(['InProgress', 'JobComplete', 'JobComplete']);
    expect(states[2].numberRecordsProcessed).toBe(25_000);
  });

  it('pages results with Sforce-Locator until "null"; every page has its header and the rows add up', async () => {
    const job = await completedJob('SELECT Id, Name, Amount, CloseDate, Description FROM Opportunity');
    let locator: string | undefined;
    let total = 0;
    const pages: string[] = [];
    const ids = new Set<string>();
    do {
      const url = `${jobsUrl()}/${job.id}/results?maxRecords=7000${locator ? `&locator=${locator}` : ''}`;
      const res = await call(url, { token, headers: { accept: 'text/csv' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv');
      const records = parseCsv(res.text);
      expect(records[0]).toEqual(['Id', 'Name', 'Amount', 'CloseDate', 'Description']);
      expect(Number(res.headers['sforce-numberofrecords'])).toBe(records.length - 1);
      for (const r of records.slice(1)) ids.add(r[0]);
      total += records.length - 1;
      locator = String(res.headers['sforce-locator']);
      pages.push(locator);
    } while (locator !== 'null');
    expect(pages).toHaveLength(4);
    expect(total).toBe(job.numberRecordsProcessed);
    expect(ids.size).toBe(total);
  });

  it('serves a locator again with the same bytes', async () => {
    const job = await completedJob('SELECT Id, StageName FROM Opportunity');
    const first = await call(`${jobsUrl()}/${job.id}/results?maxRecords=1000`, { token });
    const locator = String(first.headers['sforce-locator']);
    const a = await call(`${jobsUrl()}/${job.id}/results?maxRecords=1000&locator=${locator}`, { token });
    const b = await call(`${jobsUrl()}/${job.id}/results?maxRecords=1000&locator=${locator}`, { token });
    expect(a.body.equals(b.body)).toBe(true);
  });

  it('honours LIMIT, columnDelimiter and lineEnding', async () => {
    const job = await completedJob('SELECT Id, Name FROM Opportunity LIMIT 10', { columnDelimiter: 'PIPE', lineEnding: 'CRLF' });
    expect(job.numberRecordsProcessed).toBe(10);
    const res = await call(`${jobsUrl()}/${job.id}/results`, { token });
    expect(res.text.startsWith('"Id"|"Name"\r\n')).toBe(true);
    expect(parseCsv(res.text, '|', '\r\n')).toHaveLength(11);
    expect(res.headers['sforce-locator']).toBe('null');
  });

  it('gzips results when asked', async () => {
    const job = await completedJob('SELECT Id FROM Opportunity LIMIT 100');
    const res = await call(`${jobsUrl()}/${job.id}/results`, { token, headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(parseCsv(gunzipSync(res.body).toString('utf8'))).toHaveLength(101);
  });

  it('refuses results before the job is complete', async () => {
    const job = (await postJson(jobsUrl(), { operation: 'query', query: 'SELECT Id FROM Opportunity' }, token)).json<JobInfo>();
    const res = await call(`${jobsUrl()}/${job.id}/results`, { token });
    expect(res.status).toBe(400);
  });

  it('rejects bad SOQL with Salesforce error codes', async () => {
    const cases: [string, string][] = [
      ['SELECT Id, Bogus__c FROM Opportunity', 'INVALID_FIELD'],
      ['SELECT Id FROM Nothing', 'INVALID_TYPE'],
      ['SELECT COUNT(Id) FROM Opportunity', 'MALFORMED_QUERY'],
      ['SELECT Id FROM Opportunity OFFSET 5', 'MALFORMED_QUERY'],
      ['DELETE everything', 'MALFORMED_QUERY'],
    ];
    for (const [query, errorCode] of cases) {
      const res = await postJson(jobsUrl(), { operation: 'query', query }, token);
      expect(res.status).toBe(400);
      expect(res.json<{ errorCode: string }[]>()[0].errorCode).toBe(errorCode);
    }
  });

  it('answers 404 for an unknown job', async () => {
    const res = await call(`${jobsUrl()}/750000000000000AAA`, { token });
    expect(res.status).toBe(404);
  });
});
