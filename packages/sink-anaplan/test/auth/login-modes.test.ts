import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, dataPiece, docEnd, sleep, type CredentialSecret, type LoginIO, type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { anaplanLogin, CREDENTIAL_SERVICE } from '../../src';
import { createTestCertificate, routePatterns, type TestCertificate } from '@pipe/emulator-anaplan';
import {
  configFor,
  DOC,
  IDS,
  opportunitiesCsv,
  runAnaplanSink,
  startEmulator,
  tempCredentialStore,
  USER,
  type AnaplanEmulator,
} from '../support/anaplan-fixture';

const CLIENT = 'demo-device-client';
const FIXED_CLIENT = 'fixed-device-client';

let emulator: AnaplanEmulator;
let certificate: TestCertificate;

beforeAll(async () => {
  certificate = createTestCertificate({ commonName: 'pipe nightly', email: 'ops@acme.com' });
  emulator = await startEmulator({
    trustedCertificates: [certificate.certificatePem],
    devicePollIntervalSeconds: 1,
    oauthClients: [
      { clientId: CLIENT, rotatable: true },
      { clientId: FIXED_CLIENT, rotatable: false },
    ],
  });
});
afterAll(async () => {
  await emulator.stop();
});

const csv = () => testing.documentPieces(opportunitiesCsv(50));
const loginsSince = (before: ReturnType<AnaplanEmulator['stats']>) => {
  const now = emulator.stats().logins;
  return Object.fromEntries(Object.entries(now).map(([mode, n]) => [mode, n - before.logins[mode as keyof typeof now]]));
};

describe('basic login', () => {
  it('logs in with the password from the config', async () => {
    const before = emulator.stats();
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import }), csv());
    expect(run.error).toBeUndefined();
    expect(loginsSince(before)).toMatchObject({ basic: 1 });
    expect(emulator.requests.find((r) => r.route === 'token.authenticate')?.authScheme).toBe('Basic');
  });

  it('takes the password from the credential store when the config has none', async () => {
    const store = tempCredentialStore();
    await store.set(CREDENTIAL_SERVICE, USER.username, { kind: 'basic', password: USER.password });
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'basic', username: USER.username } }), csv(), { credentials: store });
    expect(run.error).toBeUndefined();
  });

  it('`pipe auth login anaplan -o username=… -o password=…` checks the password, saves it, and runs use it', async () => {
    const store = tempCredentialStore();
    const said: string[] = [];
    const io: LoginIO = { say: (line) => said.push(line), signal: new AbortController().signal, credentials: store };
    await expect(anaplanLogin.login({ username: USER.username, password: 'wrong-password', 'login-url': emulator.authUrl }, io)).rejects.toThrow(
      /FAILURE_BAD_CREDENTIAL/,
    );
    expect(await store.list()).toEqual([]);
    expect(await anaplanLogin.login({ username: USER.username, password: USER.password, 'login-url': emulator.authUrl }, io)).toEqual({
      account: USER.username,
    });
    expect(said).toEqual([`Password checked and saved (encrypted) as anaplan/${USER.username}.`]);
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'basic', username: USER.username } }), csv(), { credentials: store });
    expect(run.error).toBeUndefined();
  });

  it('a wrong password fails at once, with what Anaplan said, and is not retried', async () => {
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'basic', username: USER.username, password: 'wrong-password' } }), csv());
    expect(run.error?.message).toMatch(/^Anaplan login \(basic, ops@acme.com\) was refused: FAILURE_BAD_CREDENTIAL/);
    expect(emulator.requests.filter((r) => r.seq > before)).toHaveLength(1);
  });

  // Plain bodies hold their chunk until sent, and auto's probes are cut from a chunk they hold.
  it.each(['none', 'auto'])('with compress: %s, a refused login gives back every chunk made meanwhile and sends nothing', async (compress) => {
    // The refusal comes after the first chunk is read and made into bodies.
    emulator.faults.add({ method: 'POST', path: routePatterns.authenticate, fault: { kind: 'latency', ms: 200 } });
    const before = emulator.requests.length;
    const csv = opportunitiesCsv(150_000); // about 10 MB: a first chunk large enough for auto's probes
    const taken: number[] = [];
    const released: number[] = [];
    async function* pieces(): AsyncGenerator<Piece> {
      const size = Math.ceil(csv.length / 2);
      for (let i = 0; i < 2; i++) {
        taken.push(i);
        // Cut anywhere: nothing is checked against the CSV before the login.
        yield dataPiece(DOC, csv.subarray(i * size, (i + 1) * size), i, () => released.push(i));
      }
      yield docEnd(DOC);
    }
    const config = configFor(emulator, { compress, auth: { type: 'basic', username: USER.username, password: 'wrong-password' } });
    const run = await runAnaplanSink(config, pieces());
    expect(run.error?.message).toMatch(/FAILURE_BAD_CREDENTIAL/);
    expect(emulator.requests.filter((r) => r.seq > before).map((r) => r.route)).toEqual(['token.authenticate']);
    for (let i = 0; i < 200 && released.length < taken.length; i++) await sleep(5);
    expect(taken.length).toBeGreaterThan(0);
    expect(released.sort()).toEqual(taken);
  });

  it('no password anywhere: says how to provide one', async () => {
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'basic', username: USER.username } }), csv());
    expect(run.error?.message).toMatch(
      /no password for ops@acme.com: set auth.password .* or save it with `pipe auth login anaplan -o username=ops@acme.com -o password=/,
    );
  });
});

describe('certificate login', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-anaplan-cert-'));
  const certPath = join(dir, 'client.crt.pem');
  const keyPath = join(dir, 'client.key.pem');
  const encryptedKeyPath = join(dir, 'client.key.enc.pem');
  beforeAll(() => {
    writeFileSync(certPath, certificate.certificatePem);
    writeFileSync(keyPath, certificate.privateKeyPem);
    const encrypted = createPrivateKey(certificate.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-passphrase' });
    writeFileSync(encryptedKeyPath, encrypted);
  });

  it('signs random bytes with the private key and logs in (CACertificate)', async () => {
    const before = emulator.stats();
    const run = await runAnaplanSink(
      configFor(emulator, { auth: { type: 'certificate', certificate: certPath, privateKey: keyPath }, import: IDS.import }),
      csv(),
    );
    expect(run.error).toBeUndefined();
    expect(loginsSince(before)).toMatchObject({ certificate: 1, basic: 0 });
  });

  it('reads an encrypted private key with its passphrase', async () => {
    const run = await runAnaplanSink(
      configFor(emulator, { auth: { type: 'certificate', certificate: certPath, privateKey: encryptedKeyPath, passphrase: 'key-passphrase' } }),
      csv(),
    );
    expect(run.error).toBeUndefined();
  });

  it('a wrong passphrase is a local error: nothing is sent', async () => {
    const before = emulator.requests.length;
    const run = await runAnaplanSink(
      configFor(emulator, { auth: { type: 'certificate', certificate: certPath, privateKey: encryptedKeyPath, passphrase: 'not-it' } }),
      csv(),
    );
    expect(run.error?.message).toMatch(/^cannot read the private key .*client.key.enc.pem \(is the passphrase right\?\)/);
    expect(emulator.requests.length).toBe(before);
  });

  it('a certificate Anaplan does not trust is refused', async () => {
    const stranger = createTestCertificate({ commonName: 'stranger' });
    writeFileSync(join(dir, 'stranger.crt'), stranger.certificatePem);
    writeFileSync(join(dir, 'stranger.key'), stranger.privateKeyPem);
    const run = await runAnaplanSink(
      configFor(emulator, { auth: { type: 'certificate', certificate: join(dir, 'stranger.crt'), privateKey: join(dir, 'stranger.key') } }),
      csv(),
    );
    expect(run.error?.message).toMatch(/^Anaplan login \(certificate, .*stranger.*\) was refused: FAILURE_BAD_CREDENTIAL/);
  });
});

describe('OAuth device grant', () => {
  /** `pipe auth login anaplan --client-id …`, with the user approving the code shown. */
  async function deviceLogin(store: CredentialStore, clientId: string): Promise<{ account: string; said: string[] }> {
    const said: string[] = [];
    const io: LoginIO = { say: (line) => said.push(line), signal: new AbortController().signal, credentials: store };
    const login = anaplanLogin.login({ 'client-id': clientId, 'oauth-url': emulator.oauthUrl }, io);
    let code: string | undefined;
    while (!code) {
      await sleep(10);
      code = said.join('\n').match(/confirm the code (\S+)/)?.[1];
    }
    emulator.approveDevice(code);
    const { account } = await login;
    return { account, said };
  }

  const saved = async (store: CredentialStore, account: string): Promise<CredentialSecret | undefined> => store.get(CREDENTIAL_SERVICE, account);

  it('login shows the verification URL and user code, polls until approved, and saves the refresh token encrypted', async () => {
    const store = tempCredentialStore();
    const { account, said } = await deviceLogin(store, CLIENT);
    expect(said[0]).toMatch(new RegExp(`^Open ${emulator.url}/activate\\?user_code=\\S+ in a browser$`));
    expect(said[1]).toMatch(/^and confirm the code \S+ \(valid for 15 minutes\)\.$/);
    expect(account).toBe('ops@acme.com');
    expect(await saved(store, account)).toMatchObject({ kind: 'oauth', clientId: CLIENT, oauthUrl: emulator.oauthUrl });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(store.file, 'utf8')).not.toContain((await saved(store, account))?.refreshToken);
  });

  it('rotatable refresh tokens across two runs: each run saves the new token before using it, the old one is dead', async () => {
    const store = tempCredentialStore();
    const { account } = await deviceLogin(store, CLIENT);
    const first = (await saved(store, account))?.refreshToken;

    const before = emulator.stats();
    const run1 = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth' }, import: IDS.import }), csv(), { credentials: store });
    expect(run1.error).toBeUndefined();
    const second = (await saved(store, account))?.refreshToken;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);

    const run2 = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth', clientId: CLIENT } }), csv(), { credentials: store });
    expect(run2.error).toBeUndefined();
    const third = (await saved(store, account))?.refreshToken;
    expect(third).not.toBe(second);
    expect(loginsSince(before)).toMatchObject({ refreshToken: 2, basic: 0 });

    // The spent token is refused, with what to do.
    const replay = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth', clientId: CLIENT, refreshToken: first } }), csv());
    expect(replay.error?.message).toMatch(
      /^Anaplan refused the saved refresh token \(invalid_grant: .*\); run `pipe auth login anaplan --client-id demo-device-client` again$/,
    );
  });

  it('when the new refresh token cannot be saved, the new access token is never used', async () => {
    class FullDiskStore extends CredentialStore {
      full = false;
      override update(...args: Parameters<CredentialStore['update']>): ReturnType<CredentialStore['update']> {
        const [service, account, change] = args;
        return super.update(service, account, async (current) => {
          const next = await change(current);
          if (this.full) throw new Error('ENOSPC: no space left on device');
          return next;
        });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'pipe-anaplan-full-'));
    const store = new FullDiskStore({ dir, env: {} });
    const { account } = await deviceLogin(store, CLIENT);
    store.full = true;
    const before = emulator.requests.length;
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth', account } }), csv(), { credentials: store });
    expect(run.error?.message).toMatch(/ENOSPC/);
    expect(emulator.requests.filter((r) => r.seq > before && r.path.startsWith('/2/0'))).toHaveLength(0);
  });

  it('a non-rotatable client keeps its refresh token', async () => {
    const store = tempCredentialStore();
    const { account } = await deviceLogin(store, FIXED_CLIENT);
    const token = (await saved(store, account))?.refreshToken;
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth', clientId: FIXED_CLIENT } }), csv(), { credentials: store });
    expect(run.error).toBeUndefined();
    expect((await saved(store, account))?.refreshToken).toBe(token);
  });

  it('no saved login: says to run pipe auth login', async () => {
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth', clientId: CLIENT } }), csv());
    expect(run.error?.message).toMatch(
      /^no saved Anaplan OAuth login in .*credentials.json; run `pipe auth login anaplan --client-id demo-device-client` first$/,
    );
  });
});
