import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listLogFiles, RotatingFile } from '../../src/log/rotating-file';
import { project } from '../helpers';

const line = (i: number) => `{"msg":"line ${String(i).padStart(4, '0')}"}\n`; // 20 bytes

describe('RotatingFile', () => {
  it('starts a new file before a line would pass maxBytes, and keeps the newest maxFiles files', () => {
    const dir = project({});
    const log = new RotatingFile({ base: join(dir, 'logs/pipe'), maxBytes: 100, maxFiles: 3 });
    for (let i = 0; i < 50; i++) log.write(line(i));
    log.close();
    // 5 lines of 20 bytes per file: files 1..10 were written, 8..10 remain.
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['pipe.10.log', 'pipe.8.log', 'pipe.9.log']);
    const files = listLogFiles(join(dir, 'logs/pipe'));
    expect(files.map((f) => f.slice(dir.length))).toEqual(['/logs/pipe.8.log', '/logs/pipe.9.log', '/logs/pipe.10.log']);
    for (const f of files) expect(statSync(f).size).toBe(100);
    // Whole lines, in order, none lost between the kept files.
    const kept = files.map((f) => readFileSync(f, 'utf8')).join('');
    expect(kept).toBe(Array.from({ length: 15 }, (_, k) => line(35 + k)).join(''));
  });

  it('goes on appending to the newest file of an earlier run while it has room, and rotates across runs', () => {
    const dir = project({});
    const base = join(dir, 'pipe');
    const first = new RotatingFile({ base, maxBytes: 100, maxFiles: 2 });
    first.write(line(1));
    first.close();
    const second = new RotatingFile({ base, maxBytes: 100, maxFiles: 2 });
    for (let i = 2; i <= 6; i++) second.write(line(i));
    second.close();
    expect(listLogFiles(base).map((f) => readFileSync(f, 'utf8'))).toEqual([[1, 2, 3, 4, 5].map(line).join(''), line(6)]);
  });

  it('writes a line longer than maxBytes whole, alone in its file', () => {
    const dir = project({});
    const base = join(dir, 'pipe');
    const log = new RotatingFile({ base, maxBytes: 30, maxFiles: 5 });
    log.write(line(1));
    log.write(`${'x'.repeat(80)}\n`);
    log.write(line(2));
    log.close();
    expect(listLogFiles(base).map((f) => readFileSync(f, 'utf8'))).toEqual([line(1), `${'x'.repeat(80)}\n`, line(2)]);
  });

  it('leaves files that are not its numbered logs alone', () => {
    const dir = project({ 'pipe.old.log': 'a', 'pipe.1.log.bak': 'b', 'other.1.log': 'c', 'pipe.0.log': 'd' });
    const base = join(dir, 'pipe');
    const log = new RotatingFile({ base, maxBytes: 20, maxFiles: 1 });
    for (let i = 0; i < 3; i++) log.write(line(i));
    log.close();
    expect(readdirSync(dir).sort()).toEqual(['other.1.log', 'pipe.0.log', 'pipe.1.log.bak', 'pipe.3.log', 'pipe.old.log']);
  });

  it('lists no files for a folder that does not exist', () => {
    expect(listLogFiles(join(project({}), 'missing/pipe'))).toEqual([]);
  });
});
