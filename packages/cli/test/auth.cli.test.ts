/** `pipe auth login/list/logout` with the real binary, and OAuth rotation across two runs. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startAnaplanEmulator, type AnaplanEmulator } from '../../sink-anaplan/src/emulator';
import { pipe, salesCsv, workspace } from './run-pipe';

describe('pipe auth', () => {
  let anaplan: AnaplanEmulator;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ autoApprove: true, devicePollIntervalSeconds: 1, taskDurationMs: 50 });
  });
  afterAll(() => anaplan.stop());

  it('logs in once with the device grant, then two unattended runs rotate the refresh token; logout forgets it', async () => {
    const yaml = `version: 1
pipelines:
  load:
    source: { use: file, with: { path: ./in.csv } }
    sink:
      use: anaplan
      with:
        workspace: FP&A
        model: Sales Forecast
        file: Opportunities.csv
        import: Import Opportunities
        auth: { type: oauth, clientId: demo-device-client }
        apiUrl: ${anaplan.apiUrl}
        authUrl: ${anaplan.authUrl}
        oauthUrl: ${anaplan.oauthUrl}
        pollIntervalMs: 50
`;
    const dir = workspace({ 'p.yml': yaml, 'in.csv': salesCsv(2000) });
    const login = await pipe(['auth', 'login', 'anaplan', '--client-id', 'demo-device-client', '--login-url', anaplan.oauthUrl, '--account', 'ops'], { cwd: dir });
    expect(login.stderr).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/activate\?user_code=\S+ in a browser/);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('Logged in to anaplan as ops');

    const store = join(dir, '.pipe-home', 'credentials.json');
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(readFileSync(store, 'utf8')).not.toMatch(/refreshToken|"refresh_token"/);
    const list = JSON.parse((await pipe(['auth', 'list', '--json'], { cwd: dir })).stdout);
    expect(list.result).toEqual([expect.objectContaining({ service: 'anaplan', account: 'ops' })]);

    for (let night = 1; night <= 2; night++) {
      const run = await pipe(['run', 'p.yml'], { cwd: dir });
      expect(run.stdout).toMatch(/load\s+ok/);
      expect(run.code).toBe(0);
    }
    expect(anaplan.getFileContent('8a868cd9837162ef0183cd4d7ba842c0', '295D98F37F1B4682BE7A29035CBFB924', '113000000000').equals(Buffer.from(salesCsv(2000)))).toBe(true);

    expect((await pipe(['auth', 'logout', 'anaplan', 'ops'], { cwd: dir })).code).toBe(0);
    expect(JSON.parse((await pipe(['auth', 'list', '--json'], { cwd: dir })).stdout).result).toEqual([]);
    const after = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/pipe auth login anaplan/);
  });
});
