/**
 * Anaplan can call an import with failed rows `successful: true`; the sink must not take its word
 * for it. Through the real binary, against an emulator that answers that way: the run fails.
 */
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { opportunitiesCsv } from '../../sink-anaplan/test/support/anaplan-fixture';
import { anaplanLoadPipeline } from './anaplan-pipeline';
import { pipe, workspace } from './run-pipe';

const ENV = { ANAPLAN_PASSWORD: 'demo-password' };

describe('an import Anaplan reports successful despite failed rows', () => {
  let emulator: AnaplanEmulator;
  beforeAll(async () => {
    emulator = await startAnaplanEmulator({
      host: '127.0.0.1',
      port: 0,
      taskDurationMs: 60,
      successfulWithFailedRows: true,
      importRules: [{ column: 'CloseDate', rule: 'date' }],
    });
  });
  afterAll(() => emulator.stop());

  it('still fails the run (exit 1), naming the failed rows and the limit', async () => {
    const dir = workspace({
      'p.yml': anaplanLoadPipeline({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl }),
      'in.csv': opportunitiesCsv(1000, { badDateEvery: 50 }),
    });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/load\s+FAILED/);
    expect(result.stdout).toContain('1000 rows processed, 980 succeeded, 20 failed');
    expect(result.stdout).toContain('acceptFailedRows is 0');
    // The emulator did answer `successful: true` ("completed", not "failed"): the verdict is the sink's own.
    expect(result.stdout + result.stderr).toContain('completed with failed rows');
  });
});
