/**
 * What a user of the Anaplan sink sees through the real binary: plain http refused at validation,
 * the allowInsecureHttp warning on a run, and an import with failed rows failing the run (or, within
 * acceptFailedRows, passing) with the failure dump's path printed either way.
 */
import { existsSync } from 'node:fs';
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { opportunitiesCsv } from '../../sink-anaplan/test/support/anaplan-fixture';
import { anaplanLoadPipeline } from './anaplan-pipeline';
import { pipe, workspace } from './run-pipe';

const ENV = { ANAPLAN_PASSWORD: 'demo-password' };

describe('credentials only over TLS', () => {
  it('pipe validate: a plain http apiUrl to another host is a configuration error at its line, naming the key and the way out', async () => {
    const dir = workspace({ 'p.yml': anaplanLoadPipeline({ apiUrl: 'http://api.example.com/2/0', authUrl: 'https://auth.anaplan.com' }), 'in.csv': 'a\n1\n' });
    const result = await pipe(['validate', 'p.yml'], { cwd: dir, env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toMatch(
      /p\.yml:13:\d+: pipelines\.load\.sink\.with\.apiUrl: plain http would send credentials unencrypted to http:\/\/api\.example\.com; use https:\/\/, or set allowInsecureHttp: true/,
    );
  });

  it('pipe validate: the same for a Salesforce login URL', async () => {
    const yaml = `version: 1
pipelines:
  reports:
    source:
      use: sfdc-report
      with:
        loginUrl: http://login.example.com
        reportId: 00O5e000008xyzAEAQ
        auth: { type: jwt, clientId: app, username: ops@acme.com, privateKey: "\${SF_KEY}" }
    sink: { use: file, with: { path: ./out.csv } }
`;
    const result = await pipe(['validate', 'p.yml'], { cwd: workspace({ 'p.yml': yaml }), env: { SF_KEY: 'not-a-key' } });
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toMatch(
      /p\.yml:7:\d+: pipelines\.reports\.source\.with\.loginUrl: plain http would send credentials unencrypted to http:\/\/login\.example\.com/,
    );
  });
});

describe('against the Anaplan emulator', () => {
  let emulator: AnaplanEmulator;
  beforeAll(async () => {
    emulator = await startAnaplanEmulator({ host: '127.0.0.1', port: 0, taskDurationMs: 60, importRules: [{ column: 'CloseDate', rule: 'date' }] });
  });
  afterAll(() => emulator.stop());

  const urls = () => ({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl });

  it('allowInsecureHttp: true: the run warns on the console that credentials go over plain http', async () => {
    const dir = workspace({ 'p.yml': anaplanLoadPipeline(urls(), '\n        allowInsecureHttp: true'), 'in.csv': opportunitiesCsv(100) });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: ENV });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`allowInsecureHttp: apiUrl is plain http; credentials and tokens go to ${emulator.url} unencrypted`);
    expect(result.stderr + result.stdout).not.toContain('demo-password');
  });

  it('an import with failed rows fails the run, and the summary names the failure dump', async () => {
    const dir = workspace({ 'p.yml': anaplanLoadPipeline(urls()), 'in.csv': opportunitiesCsv(1000, { badDateEvery: 50 }) });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/load\s+FAILED/);
    const dumpPath = result.stdout.match(/failure dump saved to (\/\S+\.csv)/)?.[1];
    expect(dumpPath).toBeDefined();
    expect(existsSync(dumpPath!)).toBe(true);
    expect(result.stdout).toContain('1000 rows processed, 980 succeeded, 20 failed');
    expect(result.stdout).toContain('acceptFailedRows is 0');
  });

  it('acceptFailedRows: 50 lets 20 failed rows pass: exit 0, and the output line shows them, the limit and the dump', async () => {
    const dir = workspace({ 'p.yml': anaplanLoadPipeline(urls(), '\n        acceptFailedRows: 50'), 'in.csv': opportunitiesCsv(1000, { badDateEvery: 50 }) });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: ENV });
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').find((l) => l.includes('-> Anaplan import')) ?? '';
    expect(line).toMatch(
      /^ {2}-> Anaplan import 112000000000 \(Import Opportunities\): 1000 rows processed, 980 succeeded, 20 failed \(accepted: at most 50\), 0 ignored; failure dump: (\/\S+\.csv)$/,
    );
    expect(existsSync(line.match(/failure dump: (\S+)$/)![1])).toBe(true);
  });
});
