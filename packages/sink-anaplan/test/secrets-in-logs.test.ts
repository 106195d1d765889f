import { mkdtempSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamLogger, type LoginIO, type SecretRegistry } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { anaplanLogin, CREDENTIAL_SERVICE } from '../src';
import { createTestCertificate, routePatterns } from '@pipe/emulator-anaplan';
import { configFor, IDS, opportunitiesCsv, runAnaplanSink, startEmulator, tempCredentialStore, USER, type AnaplanEmulator } from './support/anaplan-fixture';

let emulator: AnaplanEmulator;
const certificate = createTestCertificate({ email: 'ops@acme.com' });

beforeAll(async () => {
  emulator = await startEmulator({
    trustedCertificates: [certificate.certificatePem],
    autoApprove: true,
    devicePollIntervalSeconds: 1,
    importRules: [{ column: 'CloseDate', rule: 'date' }],
    tokenTtlSeconds: 1, // forces refreshes mid-run
  });
});
afterAll(async () => {
  await emulator.stop();
});

/**
 * A context whose log is NOT redacted (so a secret that reached any log call shows), with every
 * value the sink registered as secret recorded, verbose endpoint logging on.
 */
function watchedContext() {
  const ctx = testing.createTestContext();
  const rawLines: string[] = [];
  const registered: string[] = [];
  const secrets: SecretRegistry = {
    add: (value) => {
      if (value) registered.push(value);
      ctx.redactor.add(value);
    },
    redact: (text) => ctx.redactor.redact(text),
  };
  const log = new StreamLogger({ level: 'debug', write: (line) => rawLines.push(line) });
  return { ctx: { ...ctx, log, secrets }, rawLines, registered };
}

describe('no secret in any log line, error or result', () => {
  it('across basic, certificate and OAuth runs with verbose logging, retries, refreshes and a failed import', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-anaplan-secrets-'));
    writeFileSync(join(dir, 'c.pem'), certificate.certificatePem);
    const passphrase = 'correct horse battery staple';
    writeFileSync(join(dir, 'k.pem'), createPrivateKey(certificate.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }));

    const store = tempCredentialStore();
    const io: LoginIO = { say: () => undefined, signal: new AbortController().signal, credentials: store };
    const { account } = await anaplanLogin.login({ 'client-id': 'demo-device-client', 'oauth-url': emulator.oauthUrl }, io);
    const refreshTokens = [(await store.get(CREDENTIAL_SERVICE, account))?.refreshToken as string];

    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, every: 4, fault: { kind: 'status', status: 429, retryAfter: 0 } });
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 150 } });
    const auths = [
      { type: 'basic', ...USER },
      { type: 'certificate', certificate: join(dir, 'c.pem'), privateKey: join(dir, 'k.pem'), passphrase },
      { type: 'oauth' },
    ];
    const shown: string[] = [];
    const allRegistered: string[] = [];
    for (const auth of auths) {
      const { ctx, rawLines, registered } = watchedContext();
      const run = await runAnaplanSink(
        configFor(emulator, { auth, verbose: true, import: IDS.import, chunkSize: '1MB', concurrency: 2 }),
        testing.documentPieces(opportunitiesCsv(60_000, { badDateEvery: 1000 })),
        { ctx, credentials: store },
      );
      expect(run.error?.message).toMatch(/60 failed/); // the run got all the way to the import
      // Verbose endpoint logging is on: method, URL, status.
      expect(rawLines.some((l) => / INFO PUT http:\/\/127\.0\.0\.1:\d+\/2\/0\/workspaces\/\S+\/chunks\/0 204 /.test(l))).toBe(true);
      expect(rawLines.some((l) => / 429 /.test(l))).toBe(true);
      shown.push(...rawLines, ...ctx.logLines, run.error?.message ?? '', run.error?.stack ?? '', JSON.stringify(run.result ?? {}));
      allRegistered.push(...registered);
    }
    refreshTokens.push((await store.get(CREDENTIAL_SERVICE, account))?.refreshToken as string);

    const known = [USER.password, passphrase, Buffer.from(`${USER.username}:${USER.password}`).toString('base64'), ...refreshTokens];
    // Tokens the sink obtained: at least one per mode, plus refreshes (1 s token lifetime).
    const tokens = allRegistered.filter((v) => !known.includes(v));
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    for (const secret of [...known, ...tokens]) {
      const leaks = shown.filter((text) => text.includes(secret));
      expect({ secret: `${secret.slice(0, 4)}…`, leaks }).toEqual({ secret: `${secret.slice(0, 4)}…`, leaks: [] });
    }
    // Every secret the sink handled was registered with the redactor.
    for (const secret of known) expect(allRegistered).toContain(secret);
  });
});
