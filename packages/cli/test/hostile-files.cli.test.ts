// Pipeline files built to break a parser get one located line and exit 2 from the real binary.
import { join } from 'node:path';
import { pipe, workspace } from './run-pipe';

const PIPELINE = 'version: 1\npipelines:\n  a:\n    source: { use: file, with: { path: in.csv } }\n    sink: { use: file, with: { path: out.csv } }\n';

function billionLaughs(): string {
  let yaml = 'version: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= 9; i++)
    yaml += `lol${i}: &lol${i} [${Array(10)
      .fill(`*lol${i - 1}`)
      .join(', ')}]\n`;
  return yaml + PIPELINE.slice('version: 1\n'.length);
}

const HOSTILE: [string, string | Buffer, RegExp][] = [
  ['recursive.yml', `${PIPELINE}again: &loop [ *loop ]\n`, /^[^:]*recursive\.yml:6:16: alias \*loop is inside the value &loop names/],
  ['laughs.yml', billionLaughs(), /^[^:]*laughs\.yml:7:63: alias \*lol4 takes the values aliases add to the file past 1,000,000/],
  [
    'unterminated.yml',
    PIPELINE.replace('path: in.csv', 'path: "${DATA_DIR/in.csv"'),
    /^[^:]*unterminated\.yml:4:40: pipelines\.a\.source\.with\.path: a \$\{ here has no closing \}/,
  ],
  ['latin1.yml', Buffer.from(PIPELINE.replace('in.csv', 'café.csv'), 'latin1'), /^[^:]*latin1\.yml:4:43: not UTF-8 \(byte 0xE9; .*\); save it as UTF-8/],
  ['utf16.yml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PIPELINE, 'utf16le')]), /^[^:]*utf16\.yml:1:1: the file is UTF-16; save it as UTF-8/],
  ['deep.yml', `${PIPELINE}deep: ${'['.repeat(10_000)}\n`, /^[^:]*deep\.yml:6:106: values nest more than 100 levels deep here/],
];

describe('hostile pipeline files', () => {
  const dir = workspace(Object.fromEntries(HOSTILE.map(([name, content]) => [name, content])));

  it.each(HOSTILE)('pipe validate %s: exit 2, one located line, no stack trace', async (name, _content, located) => {
    const result = await pipe(['validate', name], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid pipeline file (1 problem):');
    const problem = result.stderr.split('\n')[1];
    expect(problem.startsWith(join(dir, name))).toBe(true);
    expect(problem).toMatch(located);
    expect(result.stderr).not.toMatch(/\n\s+at |Maximum call stack|RangeError/);
  });

  it('pipe run refuses a recursive alias the same way, before running anything', async () => {
    const result = await pipe(['run', 'recursive.yml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[1]).toMatch(HOSTILE[0][2]);
    expect(result.stderr).not.toMatch(/\n\s+at |Maximum call stack/);
  });
});
