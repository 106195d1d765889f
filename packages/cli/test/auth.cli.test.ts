/** `pipe auth login/list/logout` with the real binary, and OAuth rotation across two runs. */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
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
    const login = await pipe(['auth', 'login', 'anaplan', '--client-id', 'demo-device-client', '--login-url', anaplan.oauthUrl, '--account', 'ops'], {
      cwd: dir,
    });
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
    expect(
      anaplan.getFileContent('8a868cd9837162ef0183cd4d7ba842c0', '295D98F37F1B4682BE7A29035CBFB924', '113000000000').equals(Buffer.from(salesCsv(2000))),
    ).toBe(true);

    expect((await pipe(['auth', 'logout', 'anaplan', 'ops'], { cwd: dir })).code).toBe(0);
    expect(JSON.parse((await pipe(['auth', 'list', '--json'], { cwd: dir })).stdout).result).toEqual([]);
    const after = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/pipe auth login anaplan/);
  });

  /** The user's own key settings must not leak into these tests. */
  const ownKey = { PIPE_CREDENTIALS_KEY: '', PIPE_CREDENTIALS_KEY_FILE: '' };
  const login = (dir: string, account: string) =>
    pipe(['auth', 'login', 'anaplan', '--client-id', 'demo-device-client', '--login-url', anaplan.oauthUrl, '--account', account], { cwd: dir, env: ownKey });

  it('with the key file gone, login and list fail naming the key file and PIPE_CREDENTIALS_KEY, and never make a new key', async () => {
    const dir = workspace({});
    expect((await login(dir, 'ops')).code).toBe(0);
    const keyFile = join(dir, '.pipe-home', 'credentials.key');
    const store = join(dir, '.pipe-home', 'credentials.json');
    rmSync(keyFile);
    const before = readFileSync(store);
    for (const args of [
      ['auth', 'login', 'anaplan', '--client-id', 'demo-device-client', '--login-url', anaplan.oauthUrl, '--account', 'other'],
      ['auth', 'list'],
    ]) {
      const result = await pipe(args, { cwd: dir, env: ownKey });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`key file ${keyFile} is missing and PIPE_CREDENTIALS_KEY is not set`);
      expect(result.stderr).toContain('PIPE_CREDENTIALS_KEY_FILE');
      expect(result.stderr).not.toMatch(/Open http/);
    }
    expect(existsSync(keyFile)).toBe(false);
    expect(readFileSync(store).equals(before)).toBe(true);
  });

  it('a damaged credentials.json is named, with what to do', async () => {
    const dir = workspace({ '.pipe-home/credentials.json': '{"version":1,"salt":"abc","entr' });
    const store = join(dir, '.pipe-home', 'credentials.json');
    for (const result of [await pipe(['auth', 'list'], { cwd: dir, env: ownKey }), await login(dir, 'ops')]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`the credential store ${store} is damaged (it is not valid JSON`);
      expect(result.stderr).toMatch(/Restore it from a backup, or move it aside .* and run `pipe auth login` again/);
    }
    expect(readFileSync(store, 'utf8')).toBe('{"version":1,"salt":"abc","entr');
  });
});
