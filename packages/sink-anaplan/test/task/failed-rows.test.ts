import { existsSync, readFileSync } from 'node:fs';
import * as testing from '@pipe/core/testing';
import { AnaplanTaskFailedError } from '../../src';
import type { TaskOutcome } from '../../src/task/task-runner';
import { judgeTask } from '../../src/task/task-verdict';
import { configFor, IDS, opportunitiesCsv, runAnaplanSink, startEmulator, type AnaplanEmulator } from '../support/anaplan-fixture';

/** A finished import as Anaplan reports one that loaded most rows: `successful: true`, some rows failed. */
function partialImport(rows: { processed: number; failed: number }, successful = true): TaskOutcome {
  return {
    kind: 'import',
    actionId: IDS.import,
    actionName: 'Import Opportunities',
    taskId: 'T1',
    taskState: 'COMPLETE',
    successful,
    rows: { processed: rows.processed, succeeded: rows.processed - rows.failed, failed: rows.failed, ignored: 0 },
    messages: [],
    failureDumps: ['/runs/r1/anaplan-failures-112000000000-T1.csv'],
    dumpErrors: [],
  };
}

describe('failed rows decide, not only Anaplan’s "successful"', () => {
  it('an import Anaplan calls successful with 20 failed rows fails the pipeline by default', () => {
    expect(judgeTask(partialImport({ processed: 20_170, failed: 20 }), 0)).toMatchObject({ ok: false, what: 'completed with failed rows' });
  });

  it('acceptFailedRows: a count, or a share of the rows processed', () => {
    const outcome = partialImport({ processed: 20_170, failed: 20 });
    expect(judgeTask(outcome, 50)).toEqual({ ok: true, accepted: { allowed: 50, text: 'at most 50' } });
    expect(judgeTask(outcome, 20)).toMatchObject({ ok: true });
    expect(judgeTask(outcome, 19)).toMatchObject({ ok: false, allowance: { allowed: 19 } });
    expect(judgeTask(outcome, '0.5%')).toEqual({ ok: true, accepted: { allowed: 100, text: 'at most 0.5% of 20170 rows (100)' } });
    expect(judgeTask(outcome, '0.05%')).toMatchObject({ ok: false, allowance: { allowed: 10 } });
  });

  it('with no failed row Anaplan’s verdict stands, and a cancelled task never passes', () => {
    expect(judgeTask(partialImport({ processed: 10, failed: 0 }), 0)).toEqual({ ok: true });
    expect(judgeTask({ ...partialImport({ processed: 10, failed: 0 }), successful: false, rows: undefined }, 50)).toMatchObject({ ok: false, what: 'failed' });
    expect(judgeTask({ ...partialImport({ processed: 10, failed: 2 }), taskState: 'CANCELLED' }, 50)).toMatchObject({ ok: false });
  });
});

describe('an import with failed rows, against the emulator', () => {
  let emulator: AnaplanEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ importRules: [{ column: 'CloseDate', rule: 'date', message: 'Invalid date' }] });
  });
  afterAll(() => emulator.stop());

  const input = () => testing.documentPieces(opportunitiesCsv(1000, { badDateEvery: 50 })); // 20 bad dates

  it('within acceptFailedRows: succeeds, and the output line shows the failures, the limit and the dump', async () => {
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import, acceptFailedRows: 50 }), input());
    expect(run.error).toBeUndefined();
    const line = run.result?.outputs?.[1] ?? '';
    const dumpPath = line.match(/failure dump: (\S+)$/)?.[1] ?? '';
    expect(line).toBe(
      `Anaplan import ${IDS.import} (Import Opportunities): 1000 rows processed, 980 succeeded, 20 failed (accepted: at most 50), 0 ignored; failure dump: ${dumpPath}`,
    );
    expect(readFileSync(dumpPath, 'utf8').match(/^\d+,Invalid date,/gm)).toHaveLength(20);
    expect(run.ctx.logLines.some((l) => l.includes('20 failed (accepted: at most 50)'))).toBe(true);
    expect(run.result?.details?.import).toMatchObject({ rowsFailed: 20, acceptedFailedRows: 50, failureDump: dumpPath });
  });

  it('beyond acceptFailedRows: fails, naming the limit and the dump', async () => {
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import, acceptFailedRows: '1%' }), input());
    expect(run.error).toBeInstanceOf(AnaplanTaskFailedError);
    const [dumpPath] = (run.error as AnaplanTaskFailedError).failureDumpPaths;
    expect(existsSync(dumpPath)).toBe(true);
    expect(run.error?.message).toContain(`20 failed, 0 ignored; failure dump saved to ${dumpPath}`);
    expect(run.error?.message).toMatch(/; acceptFailedRows accepts at most 1% of 1000 rows \(10\)$/);
  });
});
