import { readFileSync } from 'node:fs';
import { testing } from '@pipe/core';
import { pipePackage, sfdcReportSource } from '../src';
import { DEFAULT_REPORT_IDS } from '../src/emulator';

test('`pipe emulate sfdc` starts an org a pipeline can log in to with the printed settings', async () => {
  const started = await pipePackage.emulators!.sfdc!.start({ port: 0 });
  try {
    const lines = started.describe();
    expect(lines[0]).toContain(started.url);
    const keyFile = /privateKeyFile: (\S+),/.exec(lines.join('\n'))![1]!;
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

test('the package exports the plugin, the login and the emulator', () => {
  expect(pipePackage.plugins.map((p) => p.name)).toEqual(['sfdc-report']);
  expect(Object.keys(pipePackage.logins!)).toEqual(['sfdc']);
  expect(Object.keys(pipePackage.emulators!)).toEqual(['sfdc']);
});
