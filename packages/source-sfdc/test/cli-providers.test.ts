import { readFileSync } from 'node:fs';
import * as testing from '@pipe/core/testing';
import { DEFAULT_REPORT_IDS } from '@pipe/emulator-sfdc';
import { sfdcEmulatorProvider } from '@pipe/emulator-sfdc/pipe-package';
import { pipePackage, sfdcReportSource } from '../src';

test('`pipe emulate sfdc` starts an org a pipeline can log in to with the printed settings', async () => {
  const started = await sfdcEmulatorProvider.start({ port: 0 });
  try {
    const lines = started.describe();
    expect(lines[0]).toContain(started.url);
    const keyFile = /privateKeyFile: (\S+),/.exec(lines.join('\n'))![1];
    expect(readFileSync(keyFile, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const pieces = await testing.runSource(sfdcReportSource, {
      loginUrl: started.url,
      auth: { type: 'jwt', clientId: 'demo-connected-app', username: 'ops@acme.com', privateKeyFile: keyFile },
      reportId: DEFAULT_REPORT_IDS.accountsByRegion,
    });
    expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 25 });
  } finally {
    await started.stop();
  }
});

test('the package exports the plugin and the login; the emulator is a package of its own', () => {
  expect(pipePackage.plugins.map((p) => p.name)).toEqual(['sfdc-report']);
  expect(Object.keys(pipePackage.logins!)).toEqual(['sfdc']);
  expect(pipePackage.emulators).toBeUndefined();
});
