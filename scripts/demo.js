#!/usr/bin/env node
// `pnpm demo`: runs examples/nightly.yml, unchanged, against the Salesforce and Anaplan emulators.
// Both start on 127.0.0.1 at ports chosen now; the pipeline's URL and credential variables point
// at them; the real `pipe` binary runs; then we check what the Anaplan side received and stop.
const { spawn } = require('node:child_process');
const { mkdtempSync, writeFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startSfdcEmulator } = require('../packages/emulator-sfdc/dist');
const { startAnaplanEmulator } = require('../packages/emulator-anaplan/dist');

const ROOT = join(__dirname, '..');
const WORKSPACE = '8a868cd9837162ef0183cd4d7ba842c0';
const MODEL = '295D98F37F1B4682BE7A29035CBFB924';
const FILE = '113000000000';
const REPORT = '00O5e000008abcdEAA';

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'pipe-demo-'));
  const sfdc = await startSfdcEmulator();
  const anaplan = await startAnaplanEmulator({ taskDurationMs: 300 });
  try {
    const keyFile = join(home, 'sf.key');
    writeFileSync(keyFile, sfdc.jwtPrivateKeyPem, { mode: 0o600 });
    const env = {
      ...process.env,
      PIPE_HOME: home,
      SF_INSTANCE_URL: sfdc.url,
      SF_LOGIN_URL: sfdc.url,
      SF_CLIENT_ID: sfdc.jwtClientId,
      SF_USERNAME: 'ops@acme.com',
      SF_PRIVATE_KEY_FILE: keyFile,
      ANAPLAN_API_URL: anaplan.apiUrl,
      ANAPLAN_AUTH_URL: anaplan.authUrl,
      ANAPLAN_USER: 'ops@acme.com',
      ANAPLAN_PASSWORD: 'demo-password',
      ANAPLAN_POLL_INTERVAL_MS: '250',
    };
    console.error(`Salesforce emulator: ${sfdc.url}\nAnaplan emulator:    ${anaplan.url}\n`);
    const args = [join(ROOT, 'packages/cli/bin/run.js'), 'run', join(ROOT, 'examples/nightly.yml'), ...process.argv.slice(2)];
    const code = await new Promise((resolve) => spawn(process.execPath, args, { env, stdio: 'inherit' }).on('close', resolve));
    if (code === 0) {
      const received = anaplan.getFileContent(WORKSPACE, MODEL, FILE);
      const expected = sfdc.reportCsv(REPORT);
      const same = Buffer.compare(received, expected) === 0;
      console.error(
        `\nAnaplan received ${received.length} bytes for file ${FILE}: ${same ? 'byte-identical to the Salesforce report' : 'DIFFERENT from the report'}.`,
      );
      if (!same) process.exitCode = 1;
    }
    process.exitCode ??= code;
  } finally {
    await Promise.all([sfdc.stop(), anaplan.stop()]);
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
