import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sleep } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { AnaplanTaskFailedError } from '../../src';
import { routePatterns } from '@pipe/emulator-anaplan';
import { completeCalls, configFor, IDS, opportunitiesCsv, runAnaplanSink, startEmulator, type AnaplanEmulator } from '../support/anaplan-fixture';

let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ importRules: [{ column: 'CloseDate', rule: 'date', message: 'Invalid date' }] });
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => emulator.faults.clear());

describe('the import outcome', () => {
  it('rows Anaplan rejects: the dump is saved next to the run, and the run fails with the counts and the dump path', async () => {
    const csv = opportunitiesCsv(1000, { badDateEvery: 100 }); // 10 bad dates
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), testing.documentPieces(csv));

    expect(run.error).toBeInstanceOf(AnaplanTaskFailedError);
    const dumpPath = (run.error as AnaplanTaskFailedError).failureDumpPaths[0];
    expect(run.error?.message).toBe(
      `Anaplan import "Import Opportunities" (${IDS.import}), task ${dumpPath.match(/-([A-F0-9]+)\.csv$/)?.[1]} failed: ` +
        `1000 rows processed, 990 succeeded, 10 failed, 0 ignored; failure dump saved to ${dumpPath}; ` +
        'Anaplan says: Opportunities: 990 (10/1000) rows successful, 0 ignored; acceptFailedRows is 0: set it (e.g. to 50, or "0.5%" of the rows) to accept some failed rows',
    );
    expect(dirname(dumpPath)).toBe(run.ctx.runDir);
    const dump = readFileSync(dumpPath, 'utf8');
    expect(dump.split('\n')[0]).toBe('_Line_,_Error_1_,Id,Name,Amount,CloseDate,Notes');
    const rejected = dump.match(/^\d+,Invalid date,OPP-\d+,.*,2024-02-30,/gm) ?? [];
    expect(rejected.map((line) => line.split(',')[2])).toEqual(Array.from({ length: 10 }, (_, i) => `OPP-${(i + 1) * 100}`));
    expect(completeCalls(emulator).length).toBeGreaterThan(0);
  });

  it('a dump that vanished before the download is reported, and the run still fails', async () => {
    emulator.faults.add({ method: 'GET', path: routePatterns.importDump, fault: { kind: 'status', status: 404 } });
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), testing.documentPieces(opportunitiesCsv(200, { badDateEvery: 50 })));
    expect(run.error?.message).toMatch(/4 failed, 0 ignored; the failure dump could not be saved \(failure dump of 112000000000: .*404/);
  });

  it('a clean import succeeds with its counts in the details', async () => {
    const run = await runAnaplanSink(configFor(emulator, { import: 'Import Opportunities' }), testing.documentPieces(opportunitiesCsv(321)));
    expect(run.error).toBeUndefined();
    expect(run.result?.details?.import).toMatchObject({
      successful: true,
      taskState: 'COMPLETE',
      rowsProcessed: 321,
      rowsSucceeded: 321,
      rowsFailed: 0,
      rowsIgnored: 0,
    });
    expect(existsSync(run.ctx.runDir)).toBe(true);
  });
});

describe('Ctrl-C during the import', () => {
  it('cancels the task in Anaplan (DELETE) before the error goes on', async () => {
    const slow = await startEmulator({ taskDurationMs: 10_000 });
    try {
      const controller = new AbortController();
      const running = runAnaplanSink(configFor(slow, { import: IDS.import }), testing.documentPieces(opportunitiesCsv(100)), { signal: controller.signal });
      while (!slow.requests.some((r) => r.route === 'imports.tasks.get')) await sleep(10);
      controller.abort();
      const run = await running;
      expect(run.error).toBeDefined();
      const cancel = slow.requests.filter((r) => r.route === 'imports.tasks.cancel');
      expect(cancel).toHaveLength(1);
      expect(cancel[0].method).toBe('DELETE');
      expect(cancel[0].status).toBeLessThan(300);
      expect(run.ctx.logLines.some((l) => l.includes('the Anaplan task was cancelled'))).toBe(true);
    } finally {
      await slow.stop();
    }
  });
});

describe('a process with a failing import', () => {
  it('saves the dump of the nested import and fails with the counts', async () => {
    const run = await runAnaplanSink(
      configFor(emulator, { process: 'Load Opportunities' }),
      testing.documentPieces(opportunitiesCsv(300, { badDateEvery: 100 })),
    );
    expect(run.error).toBeInstanceOf(AnaplanTaskFailedError);
    expect(run.error?.message).toMatch(
      /^Anaplan process "Load Opportunities" \(118000000000\), task \S+ failed: 300 rows processed, 297 succeeded, 3 failed, 0 ignored; failure dump saved to /,
    );
    const [dumpPath] = (run.error as AnaplanTaskFailedError).failureDumpPaths;
    expect(dumpPath).toContain(`anaplan-failures-${IDS.import}-`);
    expect(readFileSync(dumpPath, 'utf8').match(/^\d+,Invalid date,/gm)).toHaveLength(3);
    expect(emulator.requests.some((r) => r.route === 'processes.dump.chunks')).toBe(true);
  });
});
