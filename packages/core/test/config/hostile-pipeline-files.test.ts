import { join } from 'node:path';
import { ConfigError, loadPipelineFile, PluginCatalog, resolvePipelineFile } from '../../src/engine';
import { MAX_PIPELINE_FILE_BYTES } from '../../src/config/pipeline-file-text';
import { project } from '../helpers';

const PIPELINE = 'version: 1\npipelines:\n  a:\n    source: { use: file, with: { path: in.csv } }\n    sink: { use: file, with: { path: out.csv } }\n';

/** What a user reads for `content` saved as p.yml: each issue's line, column, key path and message. */
async function issuesOf(content: string | Buffer, env: Record<string, string> = {}) {
  const dir = project({ 'p.yml': content });
  try {
    const loaded = await loadPipelineFile({ file: join(dir, 'p.yml'), cwd: dir });
    await resolvePipelineFile(loaded, new PluginCatalog({ cwd: dir }), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => ({ line: i.line, column: i.column, path: i.path, message: i.message }));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('YAML that would exhaust the stack or memory', () => {
  it('an alias inside the value its anchor names is refused at the alias', async () => {
    const yaml =
      'version: 1\npipelines:\n  a: &loop\n    source: { use: file, with: { path: in.csv } }\n    sink: { use: file, with: { path: out.csv } }\n    again: *loop\n';
    expect(await issuesOf(yaml)).toEqual([
      {
        line: 6,
        column: 12,
        path: '',
        message: 'alias *loop is inside the value &loop names, so that value would never end; point it at a value outside &loop',
      },
    ]);
  });

  it('aliases of aliases (billion laughs) are refused at the alias that takes the file past the limit', async () => {
    let yaml = 'version: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i <= 9; i++)
      yaml += `lol${i}: &lol${i} [${Array(10)
        .fill(`*lol${i - 1}`)
        .join(', ')}]\n`;
    const issues = await issuesOf(yaml + PIPELINE.slice('version: 1\n'.length));
    expect(issues).toEqual([
      {
        line: 7,
        column: 63,
        path: '',
        message: expect.stringMatching(
          /^alias \*lol4 takes the values aliases add to the file past 1,000,000 \(aliases of aliases multiply\); write the values out/,
        ),
      },
    ]);
  });

  it('an alias with no anchor before it is named at the alias', async () => {
    expect(await issuesOf(PIPELINE.replace('path: in.csv', 'path: *input'))).toEqual([
      { line: 4, column: 40, path: '', message: 'alias *input has no anchor &input before it; put &input on a value earlier in the file' },
    ]);
  });

  it('one anchored block reused by hundreds of pipelines is fine', async () => {
    const pipelines = Array.from(
      { length: 300 },
      (_, i) =>
        `  p${i}:\n    source: ${i === 0 ? '&in { use: file, with: { path: in.csv } }' : '*in'}\n    sink: { use: file, with: { path: out-${i}.csv } }\n`,
    );
    const yaml = `version: 1\npipelines:\n${pipelines.join('')}`;
    const dir = project({ 'p.yml': yaml });
    const file = await resolvePipelineFile(await loadPipelineFile({ file: join(dir, 'p.yml'), cwd: dir }), new PluginCatalog({ cwd: dir }), {});
    expect(file.pipelines).toHaveLength(300);
    expect(file.pipelines[299].source.config).toMatchObject({ path: 'in.csv' });
  });

  it('10,000 nested [ are refused where nesting passes 100 levels, closed or not', async () => {
    for (const tail of [']'.repeat(10_000), '']) {
      expect(await issuesOf(`${PIPELINE}deep: ${'['.repeat(10_000)}${tail}\n`)).toEqual([
        { line: 6, column: 106, path: '', message: 'values nest more than 100 levels deep here; a pipeline file needs a few, so look for an unclosed [ or {' },
      ]);
    }
  });

  it('deeply indented block mappings are refused the same way', async () => {
    let yaml = `${PIPELINE}deep:\n`;
    for (let i = 1; i <= 150; i++) yaml += `${' '.repeat(i)}k:\n`;
    expect(await issuesOf(yaml)).toEqual([expect.objectContaining({ line: 106, column: 101, message: expect.stringContaining('nest more than 100 levels') })]);
  });

  it('a file over the size limit is refused before it is parsed, the limit named', async () => {
    const comment = `# ${'x'.repeat(98)}\n`;
    const big = PIPELINE + comment.repeat(Math.ceil(MAX_PIPELINE_FILE_BYTES / comment.length));
    const issues = await issuesOf(big);
    expect(issues).toEqual([
      {
        line: 1,
        column: 1,
        path: '',
        message: expect.stringMatching(/^the file is 10\.0 MB, over the 10\.0 MB a pipeline file may be; split its pipelines over several files$/),
      },
    ]);
  });
});

describe('bytes that are not UTF-8 text', () => {
  it('a Latin-1 byte is reported at its line and column, with the byte; the same text in UTF-8, BOM or not, is read', async () => {
    const text = PIPELINE.replace('in.csv', 'café.csv');
    expect(await issuesOf(Buffer.from(text, 'latin1'))).toEqual([
      { line: 4, column: 43, path: '', message: 'not UTF-8 (byte 0xE9; the file may be Latin-1 or Windows-1252); save it as UTF-8' },
    ]);
    for (const utf8 of [text, `\uFEFF${text}`]) {
      const dir = project({ 'p.yml': utf8 });
      const file = await resolvePipelineFile(await loadPipelineFile({ file: join(dir, 'p.yml'), cwd: dir }), new PluginCatalog({ cwd: dir }), {});
      expect(file.pipelines[0].source.config).toMatchObject({ path: 'café.csv' });
    }
  });

  it('a truncated multi-byte sequence and an encoded surrogate are caught, not replaced', async () => {
    const truncated = Buffer.concat([Buffer.from('version: 1\n# caf'), Buffer.from([0xc3]), Buffer.from(`\n${PIPELINE.slice(11)}`)]);
    expect(await issuesOf(truncated)).toEqual([expect.objectContaining({ line: 2, column: 6, message: expect.stringContaining('not UTF-8 (byte 0xC3') })]);
    const surrogate = Buffer.concat([Buffer.from('version: 1\n# '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`\n${PIPELINE.slice(11)}`)]);
    expect(await issuesOf(surrogate)).toEqual([expect.objectContaining({ line: 2, column: 3, message: expect.stringContaining('not UTF-8 (byte 0xED') })]);
  });

  it('UTF-16, with a BOM of either byte order or without one, is named as such', async () => {
    const le = Buffer.from(PIPELINE, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), Buffer.concat([Buffer.from([0xfe, 0xff]), be]), le]) {
      expect(await issuesOf(bytes)).toEqual([{ line: 1, column: 1, path: '', message: 'the file is UTF-16; save it as UTF-8' }]);
    }
  });

  it('a NUL byte inside otherwise UTF-8 text is reported where it is', async () => {
    const bytes = Buffer.from(PIPELINE.replace('out.csv', 'out\0.csv'));
    expect(await issuesOf(bytes)).toEqual([expect.objectContaining({ line: 5, column: 41, message: expect.stringContaining('a NUL byte') })]);
  });
});

describe('${ that is not a reference', () => {
  it('an unterminated ${ is reported at its value, without quoting the value; $${ still writes a literal ${', async () => {
    const yaml = PIPELINE.replace('path: in.csv', 'path: "${DATA_DIR/in.csv"');
    expect(await issuesOf(yaml, { DATA_DIR: '/data' })).toEqual([
      {
        line: 4,
        column: 40,
        path: 'pipelines.a.source.with.path',
        message:
          'a ${ here has no closing }; write ${NAME} or ${NAME:-default} (NAME: letters, digits and _, not starting with a digit), or $${ for a literal ${',
      },
    ]);
    const dir = project({ 'p.yml': PIPELINE.replace('path: in.csv', () => 'path: "$${DATA_DIR/in.csv"') });
    const file = await resolvePipelineFile(await loadPipelineFile({ file: join(dir, 'p.yml'), cwd: dir }), new PluginCatalog({ cwd: dir }), {});
    expect(file.pipelines[0].source.config).toMatchObject({ path: '${DATA_DIR/in.csv' });
  });

  it('${ with an invalid name, or a default without its dash, is reported at its value', async () => {
    const yaml = PIPELINE.replace('path: in.csv', 'path: "${1DIR}/in.csv"').replace('path: out.csv', 'path: "${OUT:out.csv}"');
    const issues = await issuesOf(yaml);
    expect(issues).toEqual([
      expect.objectContaining({
        line: 4,
        column: 40,
        path: 'pipelines.a.source.with.path',
        message: expect.stringMatching(/^a \$\{\.\.\.\} here is not a valid reference; write \$\{NAME\}/),
      }),
      expect.objectContaining({
        line: 5,
        column: 38,
        path: 'pipelines.a.sink.with.path',
        message: expect.stringMatching(/^a \$\{\.\.\.\} here is not a valid reference/),
      }),
    ]);
  });
});

describe('YAML structure', () => {
  it('a key written twice in one mapping is reported at the second, naming the first line', async () => {
    expect(await issuesOf(`${PIPELINE}pipelines: {}\n`)).toEqual([
      { line: 6, column: 1, path: '', message: 'YAML syntax: key "pipelines" appears twice in this mapping (first on line 2); keep one' },
    ]);
  });

  it('a second YAML document is reported where it starts', async () => {
    expect(await issuesOf(`${PIPELINE}---\nversion: 1\n`)).toEqual([
      expect.objectContaining({ line: 6, column: 1, message: expect.stringContaining('a second YAML document') }),
    ]);
  });
});
