/**
 * `pipe emulate sfdc`: starts the local Salesforce (index.ts) and prints how to point a pipeline
 * at it. The JWT app's private key is written to a file so `auth: { type: jwt }` works against the
 * emulator exactly as against a real org; the file's folder is removed when the emulator stops.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorProvider } from '@pipe/core';

export const sfdcEmulatorProvider: EmulatorProvider = {
  summary: 'A local Salesforce org: OAuth logins, Reports API, report CSV export and Bulk API 2.0 query, with faults on demand.',
  async start(options) {
    // Loaded here, not with the package: `pipe run` lists this package's emulators, never runs them.
    const { DEFAULT_REPORTS, DEFAULT_USERNAME, startSfdcEmulator, toId18 } = await import('./index');
    const emulator = await startSfdcEmulator({ port: options.port ?? 0, host: options.host });
    const keyDir = mkdtempSync(join(tmpdir(), 'pipe-sfdc-emulator-'));
    const keyFile = join(keyDir, 'jwt.key');
    writeFileSync(keyFile, emulator.jwtPrivateKeyPem, { mode: 0o600 });
    const sessionId = emulator.issueSession();
    return {
      url: emulator.url,
      describe: () => [
        `Salesforce emulator at ${emulator.url} (login URL and instance URL; API v${emulator.apiVersion})`,
        `jwt:     auth: { type: jwt, clientId: ${emulator.jwtClientId}, username: ${DEFAULT_USERNAME}, privateKeyFile: ${keyFile}, loginUrl: ${emulator.url} }`,
        `session: auth: { type: session, sessionId: ${sessionId} }  (with instanceUrl: ${emulator.url})`,
        'reports:',
        ...DEFAULT_REPORTS.map((r) => `  ${toId18(r.id)}  ${r.name} (${r.rows} rows)`),
        `faults:  POST ${emulator.url}/__emulator/faults  e.g. {"kind":"drop-connection","afterBytes":100000,"times":1}`,
      ],
      stop: async () => {
        try {
          await emulator.stop();
        } finally {
          rmSync(keyDir, { recursive: true, force: true });
        }
      },
    };
  },
};
