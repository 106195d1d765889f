import * as testing from '@pipe/core/testing';
import { routePatterns } from '@pipe/emulator-anaplan';
import { configFor, IDS, opportunitiesCsv, runAnaplanSink, startEmulator, type AnaplanEmulator } from '../support/anaplan-fixture';

let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => emulator.faults.clear());

const starts = (since: number) => emulator.requests.filter((r) => r.seq > since && r.route === 'imports.tasks.start');

describe('starting the import exactly once', () => {
  it('the answer to the start is lost after Anaplan started the task: pipe follows that task and does not start a second one', async () => {
    emulator.faults.add({ method: 'POST', path: routePatterns.importTasks, nth: 1, fault: { kind: 'reset', phase: 'response', afterBytes: 0 } });
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), testing.documentPieces(opportunitiesCsv(250)));
    expect(run.error).toBeUndefined();
    expect(starts(before)).toHaveLength(1);
    expect(run.result?.details?.import).toMatchObject({ successful: true, rowsProcessed: 250 });
    const warning = run.ctx.logLines.find((l) => l.includes('was lost'));
    expect(warning).toMatch(/the answer to starting the import 112000000000 was lost \(.*\), but Anaplan started task [A-F0-9]+; following it/);
  });

  it('a start Anaplan refused with a 503 (nothing started) is sent again', async () => {
    emulator.faults.add({ method: 'POST', path: routePatterns.importTasks, nth: 1, fault: { kind: 'status', status: 503 } });
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), testing.documentPieces(opportunitiesCsv(120)));
    expect(run.error).toBeUndefined();
    expect(starts(before).map((r) => r.status)).toEqual([503, 200]);
    expect(run.result?.details?.import).toMatchObject({ successful: true, rowsProcessed: 120 });
  });

  it('a lost answer and a task list that cannot be read: the run fails without starting the import again', async () => {
    emulator.faults.add({ method: 'POST', path: routePatterns.importTasks, nth: 1, fault: { kind: 'reset', phase: 'response', afterBytes: 0 } });
    // The list before the start works; every later one fails.
    for (let n = 2; n <= 12; n++) emulator.faults.add({ method: 'GET', path: routePatterns.importTasks, nth: n, fault: { kind: 'status', status: 500 } });
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), testing.documentPieces(opportunitiesCsv(50)));
    expect(run.error?.message).toMatch(
      /starting the import 112000000000 failed \(.*\) and the task list could not be read to see whether it started anyway \(HTTP 500.*\); it was not started again, so that it cannot run twice/,
    );
    expect(starts(before)).toHaveLength(1);
  });
});
