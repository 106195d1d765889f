/**
 * What a user sees while and after a run into Anaplan, through the real binary. While the import
 * runs on the server no bytes move, so the progress says "importing" and the task's state instead
 * of a falling throughput (off a TTY: the plain periodic lines cron and CI see); and what the run
 * warned about is in the `warnings` of `--json`.
 */
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { opportunitiesCsv } from '../../sink-anaplan/test/support/anaplan-fixture';
import { anaplanLoadPipeline } from './anaplan-pipeline';
import { pipe, workspace } from './run-pipe';

let emulator: AnaplanEmulator;
beforeAll(async () => {
  // An import that takes a while, so several progress lines fall inside it.
  emulator = await startAnaplanEmulator({ host: '127.0.0.1', port: 0, taskDurationMs: 2000 });
});
afterAll(() => emulator.stop());

/** The emulator's pipeline file, with allowInsecureHttp so the run has a warning to report. */
const pipelineFile = () => anaplanLoadPipeline(emulator, '\n        allowInsecureHttp: true');

it('the plain progress lines say the import is running, with the task state and the elapsed time', async () => {
  const dir = workspace({ 'p.yml': pipelineFile(), 'in.csv': opportunitiesCsv(100) });
  const result = await pipe(['run', 'p.yml'], { cwd: dir, env: { ANAPLAN_PASSWORD: 'demo-password', PIPE_PROGRESS_INTERVAL_MS: '50' } });
  expect(result.code).toBe(0);
  const importing = result.stderr.split('\n').filter((line) => /^load: .*importing: task [A-Z_]+/.test(line));
  expect(importing.length).toBeGreaterThan(0);
  for (const line of importing) {
    expect(line).toMatch(/importing: task [A-Z_]+.* for \S+, elapsed \S+$/);
    expect(line).not.toMatch(/B\/s/);
  }
});

it('pipe run --json: the allowInsecureHttp warning is in warnings, marked with its pipeline and plugin', async () => {
  const dir = workspace({ 'p.yml': pipelineFile(), 'in.csv': opportunitiesCsv(100) });
  const result = await pipe(['run', 'p.yml', '--json', '--quiet'], { cwd: dir, env: { ANAPLAN_PASSWORD: 'demo-password' } });
  expect(result.code).toBe(0);
  const doc = JSON.parse(result.stdout);
  expect(doc).toMatchObject({ status: 'ok', exitCode: 0 });
  expect(doc.warnings).toEqual([`[load/anaplan] allowInsecureHttp: apiUrl is plain http; credentials and tokens go to ${emulator.url} unencrypted`]);
  expect(result.stdout).not.toContain('demo-password');
});
