import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redactor, sleep } from '../../src';
import { createRunLogger } from '../../src/engine';
import { project } from '../helpers';

describe('run logger', () => {
  it('rotates the log file: at most maxFiles files of about maxBytes each, newest lines kept', async () => {
    const dir = project({});
    const logger = await createRunLogger({
      runId: 'r1',
      secrets: new Redactor(),
      file: join(dir, 'logs/pipe'),
      maxBytes: 10_000,
      maxFiles: 3,
      consoleLevel: 'silent',
    });
    const log = logger.child({ pipeline: 'sales', plugin: 'file' });
    for (let i = 0; i < 2000; i++) {
      log.debug(`line ${i}`, { i });
      // A run logs over time; rotation happens between writes.
      if (i % 20 === 0) await sleep(1);
    }
    await logger.close();
    const files = logger.files();
    expect(files.length).toBe(3);
    for (const f of files) expect(statSync(f).size).toBeLessThan(10_000 + 200);
    const newest = readFileSync(files[files.length - 1], 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(newest[newest.length - 1])).toMatchObject({ level: 'debug', runId: 'r1', pipeline: 'sales', plugin: 'file', msg: 'line 1999', i: 1999 });
  });

  it('console gets warnings and up, the file everything; no secret reaches either', async () => {
    const dir = project({});
    const secrets = new Redactor();
    secrets.add('s3cr3t-token-value');
    const consoleLines: string[] = [];
    const logger = await createRunLogger({ runId: 'r2', secrets, file: join(dir, 'logs/pipe'), console: (l) => consoleLines.push(l) });
    const log = logger.child({ pipeline: 'p', plugin: 'anaplan' });
    log.debug('GET https://x/?token=s3cr3t-token-value 200');
    log.warn('retrying chunk 3 with s3cr3t-token-value', { password: 'hunter2', auth: { token: 'abc' } });
    await logger.close();
    const file = readFileSync(logger.files()[0], 'utf8');
    expect(file).toContain('GET https://x/?token=[redacted] 200');
    expect(consoleLines).toHaveLength(1);
    expect(consoleLines[0]).toMatch(/WARN \[p\/anaplan\] retrying chunk 3 with \[redacted\]/);
    for (const text of [file, consoleLines.join('')]) {
      expect(text).not.toContain('s3cr3t-token-value');
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('"abc"');
    }
  });
});
