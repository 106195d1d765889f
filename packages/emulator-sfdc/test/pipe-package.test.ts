import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipePackage } from '../src/pipe-package';

describe('the package, as the CLI loads it', () => {
  it('offers one emulator and no plugins', () => {
    expect(pipePackage.plugins).toEqual([]);
    expect(Object.keys(pipePackage.emulators ?? {})).toEqual(['sfdc']);
  });

  it('`pipe emulate sfdc` writes the JWT key it prints, and removes its folder on stop', async () => {
    const started = await pipePackage.emulators!.sfdc.start({ port: 0 });
    const keyFile = /privateKeyFile: (\S+),/.exec(started.describe().join('\n'))![1];
    try {
      expect(readFileSync(keyFile, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    } finally {
      await started.stop();
    }
    expect(existsSync(dirname(keyFile))).toBe(false);
  });
});
