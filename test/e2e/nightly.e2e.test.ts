/**
 * The nightly job end to end: examples/nightly.yml, unchanged, run by the real `pipe` binary
 * against both emulators. Anaplan must receive the report's bytes exactly and the import must
 * succeed; a report cut mid-body, or short with a proper footer, must fail the run without
 * `complete` or an import.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { startSfdcEmulator, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { pipe } from '../../packages/cli/test/run-pipe';

const NIGHTLY = join(__dirname, '..', '..', 'examples', 'nightly.yml');
const WS = '8a868cd9837162ef0183cd4d7ba842c0';
const MODEL = '295D98F37F1B4682BE7A29035CBFB924';
const FILE = '113000000000';
const REPORT = '00O5e000008abcdEAA';

describe('examples/nightly.yml', () => {
  let sfdc: SfdcEmulator;
  let anaplan: AnaplanEmulator;
  let env: Record<string, string>;
  let cwd: string;

  beforeAll(async () => {
    sfdc = await startSfdcEmulator();
    anaplan = await startAnaplanEmulator({ taskDurationMs: 100 });
    cwd = mkdtempSync(join(tmpdir(), 'pipe-nightly-'));
    writeFileSync(join(cwd, 'sf.key'), sfdc.jwtPrivateKeyPem);
    env = {
      SF_INSTANCE_URL: sfdc.url,
      SF_LOGIN_URL: sfdc.url,
      SF_CLIENT_ID: sfdc.jwtClientId,
      SF_PRIVATE_KEY_FILE: join(cwd, 'sf.key'),
      ANAPLAN_API_URL: anaplan.apiUrl,
      ANAPLAN_AUTH_URL: anaplan.authUrl,
      ANAPLAN_USER: 'ops@acme.com',
      ANAPLAN_PASSWORD: 'demo-password',
      ANAPLAN_POLL_INTERVAL_MS: '50',
    };
  });

  afterAll(async () => {
    await Promise.all([sfdc?.stop(), anaplan?.stop()]);
  });

  it('streams the report into chunked gzip uploads, runs the import, and Anaplan holds the exact bytes', async () => {
    const result = await pipe(['run', NIGHTLY, '--json'], { cwd, env });
    expect(result.stderr).not.toContain('demo-password');
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout).result;
    const p = run.pipelines[0];
    expect(p).toMatchObject({ name: 'opportunities', status: 'succeeded' });
    expect(anaplan.getFileContent(WS, MODEL, FILE).equals(sfdc.reportCsv(REPORT))).toBe(true);
    expect(p.progress['sink:anaplan'].chunks).toBeGreaterThan(1);
    expect(JSON.stringify(p.sink.details)).toMatch(/"successful":true/);
    expect(result.stdout).not.toContain('demo-password');
  });

  it('a report cut mid-body fails the run: exit 1, no complete, no import', async () => {
    const before = anaplan.requests.filter((r) => r.path.endsWith('/complete')).length;
    sfdc.faults.inject({ kind: 'drop-connection', afterBytes: 200_000, times: 5 });
    const result = await pipe(['run', NIGHTLY], { cwd, env });
    sfdc.faults.clear();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/opportunities\s+FAILED/);
    expect(anaplan.requests.filter((r) => r.path.endsWith('/complete')).length).toBe(before);
  });

  it('a short export with a proper footer fails the run on the record count: exit 1, nothing delivered', async () => {
    const completes = anaplan.requests.filter((r) => r.path.endsWith('/complete')).length;
    const imports = anaplan.taskStarts().length;
    // Every attempt is short, as when rows vanish between the export and the count.
    sfdc.faults.inject({ kind: 'short-export', missingRows: 1 });
    const result = await pipe(['run', NIGHTLY], { cwd, env });
    sfdc.faults.clear();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/opportunities\s+FAILED/);
    expect(result.stdout + result.stderr).toMatch(/the export has \d+ data rows but the report counts \d+/);
    expect(anaplan.requests.filter((r) => r.path.endsWith('/complete')).length).toBe(completes);
    expect(anaplan.taskStarts()).toHaveLength(imports);
  });
});
