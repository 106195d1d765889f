/** The `pipe` process keeps V8's young generation at its initial size (see src/heap-tuning.ts). */
import { join } from 'node:path';
import { pipe, workspace } from './run-pipe';

const PIPELINE = `version: 1
pipelines:
  copy:
    source: { use: file, with: { path: in.csv } }
    sink: { use: file, with: { path: out.csv } }
`;

// Preloaded into the binary: reports the young generation's size when the process exits.
const REPORT_NEW_SPACE = `process.on('exit', () => {
  const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  process.stderr.write('new_space=' + space.space_size + '\\n');
});`;

describe('pipe binary heap', () => {
  it('keeps the young generation at 2 MB through start-up and a run (V8 would grow it to 16 MB)', async () => {
    const dir = workspace({ 'p.yml': PIPELINE, 'in.csv': 'a,b\n1,2\n', 'report.js': REPORT_NEW_SPACE });
    const result = await pipe(['run', 'p.yml', '--quiet'], { cwd: dir, env: { NODE_OPTIONS: `--require ${join(dir, 'report.js')}` } });
    expect(result.code).toBe(0);
    const size = Number(/new_space=(\d+)/.exec(result.stderr)?.[1]);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});
