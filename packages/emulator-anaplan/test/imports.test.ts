import { gzipSync } from 'node:zlib';
import { DEFAULT_FILE_ID, DEFAULT_IMPORT_ID, DEFAULT_PROCESS_ID, startAnaplanEmulator, type AnaplanEmulator } from '../src';
import { parseCsvRecords } from '../src/csv-rows';
import { auth, call, login, modelUrl, sleep } from './http';

interface TaskJson {
  taskId: string;
  taskState: string;
  creationTime: number;
  progress: number;
  currentStep: string;
  result?: {
    successful: boolean;
    failureDumpAvailable: boolean;
    objectId: string;
    details: { localMessageText: string; values: string[] }[];
    nestedResults?: { objectId: string; successful: boolean; failureDumpAvailable: boolean }[];
  };
}

/** 7 data rows: 2 with bad dates, 1 blank (ignored); quoted fields hold commas, quotes and line breaks. */
const OPPORTUNITIES = [
  'Opportunity ID,Name,Amount,Close Date',
  '006A,"Acme, Inc. renewal",1200,2024-03-31',
  '006B,"Multi-line',
  'description with ""quotes""",500,2024-04-30',
  '006C,Globex,75,2024-02-30',
  ',,,',
  '006D,"Initech\r\nexpansion",9000,2024-06-01',
  '006E,Umbrella,10,not a date',
  '006F,Hooli,42,2024-12-31',
  '',
].join('\n');

const valuesOf = (task: TaskJson): Record<string, string> => {
  const values = task.result?.details[0]?.values ?? [];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < values.length; i += 2) out[values[i]] = values[i + 1];
  return out;
};

describe('imports', () => {
  let anaplan: AnaplanEmulator;
  let token: string;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ taskDurationMs: 100, limits: { dumpChunkBytes: 64 } });
    token = await login(anaplan);
  });
  afterAll(() => anaplan.stop());
  afterEach(() => anaplan.setImportRules([]));

  const upload = async (text: string): Promise<void> => {
    const bytes = Buffer.from(text, 'utf8');
    const half = Math.floor(bytes.length / 2);
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'POST', { headers: auth(token), json: { chunkCount: 2 } });
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/1`), 'PUT', {
      headers: { ...auth(token), 'content-type': 'application/octet-stream' },
      body: bytes.subarray(half),
    });
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/0`), 'PUT', {
      headers: { ...auth(token), 'content-type': 'application/x-gzip' },
      body: gzipSync(bytes.subarray(0, half)),
    });
  };
  const start = async (kind = 'imports', id = DEFAULT_IMPORT_ID): Promise<TaskJson> => {
    const answer = await call(modelUrl(anaplan, `/${kind}/${id}/tasks`), 'POST', { headers: auth(token), json: { localeName: 'en_US' } });
    expect(answer.status).toBe(200);
    return answer.json<{ task: TaskJson }>().task;
  };
  const waitForEnd = async (taskId: string, kind = 'imports', id = DEFAULT_IMPORT_ID): Promise<TaskJson> => {
    for (;;) {
      const answer = await call(modelUrl(anaplan, `/${kind}/${id}/tasks/${taskId}`), 'GET', { headers: auth(token) });
      const task = answer.json<{ task: TaskJson }>().task;
      if (task.taskState === 'COMPLETE' || task.taskState === 'CANCELLED') return task;
      await sleep(20);
    }
  };

  it('describes the import with its data source file', async () => {
    await upload(OPPORTUNITIES);
    const answer = await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}`), 'GET', { headers: auth(token) });
    expect(answer.status).toBe(200);
    expect(answer.json<{ importMetadata: Record<string, unknown> }>().importMetadata).toMatchObject({
      id: DEFAULT_IMPORT_ID,
      name: 'Import Opportunities',
      importDataSourceId: DEFAULT_FILE_ID,
      source: { headerNames: ['Opportunity ID', 'Name', 'Amount', 'Close Date'], columnCount: 4, columnSeparator: ',' },
    });
  });

  it('counts rows of the real uploaded CSV, including quoted multi-line fields', async () => {
    await upload(OPPORTUNITIES);
    const created = await start();
    expect(created.taskState).toBe('NOT_STARTED');
    expect(created.taskId).toMatch(/^[0-9A-F]{32}$/);
    const done = await waitForEnd(created.taskId);
    expect(done.taskState).toBe('COMPLETE');
    expect(done.progress).toBe(1);
    expect(done.result).toMatchObject({ successful: true, failureDumpAvailable: false, objectId: DEFAULT_IMPORT_ID });
    expect(valuesOf(done)).toEqual({ hierarchyName: 'Opportunities', successRowCount: '6', failedCount: '0', ignoredCount: '1', totalRowCount: '7' });
  });

  it('a date rule rejects rows: successful false, a dump with exactly the rejected rows', async () => {
    await upload(OPPORTUNITIES);
    anaplan.setImportRules([{ column: 'Close Date', rule: 'date' }]);
    const done = await waitForEnd((await start()).taskId);
    expect(done.result).toMatchObject({ successful: false, failureDumpAvailable: true });
    expect(valuesOf(done)).toMatchObject({ successRowCount: '4', failedCount: '2', ignoredCount: '1', totalRowCount: '7' });

    const dumpUrl = modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${done.taskId}/dump`);
    const list = await call(`${dumpUrl}/chunks`, 'GET', { headers: auth(token) });
    expect(list.status).toBe(200);
    const chunks = list.json<{ meta: { paging: { totalSize: number } }; chunks: { id: string; name: string }[] }>();
    expect(chunks.chunks.length).toBeGreaterThan(1); // dumpChunkBytes: 64
    expect(chunks.chunks[0]).toEqual({ id: '0', name: 'Chunk 0' });
    const parts = await Promise.all(chunks.chunks.map((c) => call(`${dumpUrl}/chunks/${c.id}`, 'GET', { headers: auth(token) })));
    for (const part of parts) expect(part.body.length).toBeLessThanOrEqual(64);
    const dump = Buffer.concat(parts.map((p) => p.body)).toString('utf8');
    const whole = await call(dumpUrl, 'GET', { headers: auth(token) });
    expect(whole.text).toBe(dump);
    const rows = parseCsvRecords(dump);
    expect(rows[0]).toEqual(['_Line_', '_Error_1_', 'Opportunity ID', 'Name', 'Amount', 'Close Date']);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[5]])).toEqual([
      ['4', '006C', '2024-02-30'],
      ['7', '006E', 'not a date'],
    ]);
    expect(rows[1]?.[1]).toMatch(/Invalid date/);
  });

  it('a regex rule with a custom message, and a rule limited to another import', async () => {
    await upload(OPPORTUNITIES);
    anaplan.setImportRules([
      { column: 'Amount', rule: { pattern: '^\\d{3,}$' }, importId: DEFAULT_IMPORT_ID, message: 'Amount too small' },
      { column: 'Close Date', rule: 'date', importId: '112999999999' },
    ]);
    const done = await waitForEnd((await start()).taskId);
    expect(valuesOf(done)).toMatchObject({ successRowCount: '3', failedCount: '3' });
    const dump = await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${done.taskId}/dump`), 'GET', { headers: auth(token) });
    expect(dump.text).toContain('Amount too small');
  });

  it('a newer run of the same import replaces the old dump (404)', async () => {
    await upload(OPPORTUNITIES);
    anaplan.setImportRules([{ column: 'Close Date', rule: 'date' }]);
    const first = await waitForEnd((await start()).taskId);
    anaplan.setImportRules([]);
    await waitForEnd((await start()).taskId);
    const stale = await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${first.taskId}/dump/chunks`), 'GET', { headers: auth(token) });
    expect(stale.status).toBe(404);
  });

  it('fails when the data source was never completed', async () => {
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'POST', { headers: auth(token), json: { chunkCount: -1 } });
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/0`), 'PUT', {
      headers: { ...auth(token), 'content-type': 'application/octet-stream' },
      body: 'a,b\n1,2\n',
    });
    const done = await waitForEnd((await start()).taskId);
    expect(done.result?.successful).toBe(false);
    expect(done.result?.failureDumpAvailable).toBe(false);
    expect(done.result?.details[0]?.localMessageText).toMatch(/not been uploaded or was not marked complete/);
  });

  it('requires localeName and validates mappingParameters', async () => {
    const url = modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks`);
    const missing = await call(url, 'POST', { headers: auth(token), json: {} });
    expect(missing.status).toBe(400);
    expect(missing.json<{ status: { message: string } }>().status.message).toMatch(/localeName/);
    const bad = await call(url, 'POST', { headers: auth(token), json: { localeName: 'en_US', mappingParameters: [{ entityType: 'Version' }] } });
    expect(bad.status).toBe(400);
    const good = await call(url, 'POST', {
      headers: auth(token),
      json: { localeName: 'en_GB', mappingParameters: [{ entityType: 'Version', entityName: 'Actual' }] },
    });
    expect(good.status).toBe(200);
    expect(good.json()).toMatchObject({ status: { code: 200, message: 'Success' }, task: { taskState: 'NOT_STARTED' } });
  });

  it('lists tasks, newest first with sort=-creationTime', async () => {
    const answer = await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks?sort=-creationTime`), 'GET', { headers: auth(token) });
    const tasks = answer.json<{ meta: { paging: { totalSize: number } }; tasks: TaskJson[] }>();
    expect(tasks.tasks.length).toBeGreaterThan(3);
    expect(tasks.meta.paging.totalSize).toBe(tasks.tasks.length);
    expect(tasks.tasks[0]?.creationTime).toBeGreaterThanOrEqual(tasks.tasks[tasks.tasks.length - 1]?.creationTime ?? 0);
  });

  it('a process runs its imports and reports nestedResults with process dump paths', async () => {
    await upload(OPPORTUNITIES);
    anaplan.setImportRules([{ column: 'Close Date', rule: 'date' }]);
    const created = await start('processes', DEFAULT_PROCESS_ID);
    const done = await waitForEnd(created.taskId, 'processes', DEFAULT_PROCESS_ID);
    expect(done.result).toMatchObject({
      objectId: DEFAULT_PROCESS_ID,
      successful: false,
      failureDumpAvailable: true,
      nestedResults: [{ objectId: DEFAULT_IMPORT_ID, successful: false, failureDumpAvailable: true }],
    });
    const base = modelUrl(anaplan, `/processes/${DEFAULT_PROCESS_ID}/tasks/${done.taskId}/dumps/${DEFAULT_IMPORT_ID}`);
    const list = (await call(`${base}/chunks`, 'GET', { headers: auth(token) })).json<{ chunks: { id: string }[] }>();
    const parts = await Promise.all(list.chunks.map((c) => call(`${base}/chunks/${c.id}`, 'GET', { headers: auth(token) })));
    const dump = Buffer.concat(parts.map((p) => p.body)).toString('utf8');
    expect(parseCsvRecords(dump).length).toBe(3);
    expect(anaplan.stats().processTasksStarted).toBe(1);
  });
});

describe('task timing and cancellation', () => {
  let anaplan: AnaplanEmulator;
  let token: string;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ taskDurationMs: 1000 });
    token = await login(anaplan);
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'PUT', {
      headers: { ...auth(token), 'content-type': 'application/octet-stream' },
      body: 'a,b\n1,2\n',
    });
  });
  afterAll(() => anaplan.stop());

  const get = async (taskId: string): Promise<TaskJson> =>
    (await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${taskId}`), 'GET', { headers: auth(token) })).json<{ task: TaskJson }>().task;

  it('progresses NOT_STARTED -> IN_PROGRESS -> COMPLETE; result only when terminal', async () => {
    const created = (
      await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks`), 'POST', { headers: auth(token), json: { localeName: 'en_US' } })
    ).json<{ task: TaskJson }>().task;
    expect(created.taskState).toBe('NOT_STARTED');
    await sleep(500);
    const running = await get(created.taskId);
    expect(running.taskState).toBe('IN_PROGRESS');
    expect(running.progress).toBeGreaterThan(0);
    expect(running.result).toBeUndefined();
    await sleep(600);
    const done = await get(created.taskId);
    expect(done.taskState).toBe('COMPLETE');
    expect(done.currentStep).toBe('Complete.');
    expect(done.result?.successful).toBe(true);
  });

  it('DELETE cancels: CANCELLING then CANCELLED, with no result', async () => {
    const created = (
      await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks`), 'POST', { headers: auth(token), json: { localeName: 'en_US' } })
    ).json<{ task: TaskJson }>().task;
    await sleep(300);
    const cancelling = await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${created.taskId}`), 'DELETE', { headers: auth(token) });
    expect(cancelling.status).toBe(200);
    expect(cancelling.json<{ task: TaskJson }>().task.taskState).toBe('CANCELLING');
    await sleep(250);
    const cancelled = await get(created.taskId);
    expect(cancelled.taskState).toBe('CANCELLED');
    expect(cancelled.result).toBeUndefined();
    await sleep(600);
    expect((await get(created.taskId)).taskState).toBe('CANCELLED');
  });
});

describe('imports with successfulWithFailedRows', () => {
  let anaplan: AnaplanEmulator;
  let token: string;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ taskDurationMs: 0, successfulWithFailedRows: true, importRules: [{ column: 'Close Date', rule: 'date' }] });
    token = await login(anaplan);
  });
  afterAll(() => anaplan.stop());

  it('failed rows still report successful: true, with the failed count and the dump, as the real service can', async () => {
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'PUT', {
      headers: { ...auth(token), 'content-type': 'application/octet-stream' },
      body: Buffer.from(OPPORTUNITIES, 'utf8'),
    });
    const started = await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks`), 'POST', { headers: auth(token), json: { localeName: 'en_US' } });
    const taskUrl = modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${started.json<{ task: TaskJson }>().task.taskId}`);
    let done: TaskJson;
    for (;;) {
      done = (await call(taskUrl, 'GET', { headers: auth(token) })).json<{ task: TaskJson }>().task;
      if (done.taskState === 'COMPLETE') break;
      await sleep(10);
    }
    expect(done.result).toMatchObject({ successful: true, failureDumpAvailable: true });
    expect(valuesOf(done)).toMatchObject({ successRowCount: '4', failedCount: '2' });
    expect((await call(`${taskUrl}/dump`, 'GET', { headers: auth(token) })).status).toBe(200);
  });
});
