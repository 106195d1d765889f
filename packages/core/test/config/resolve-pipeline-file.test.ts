import { join } from 'node:path';
import { ConfigError, loadPipelineFile, PluginCatalog, resolvePipelineFile } from '../../src/engine';
import { ISSUE_EXAMPLE, project } from '../helpers';

async function resolveIn(dir: string, file?: string, env: Record<string, string> = {}) {
  const loaded = await loadPipelineFile({ file: file && join(dir, file), cwd: dir });
  return resolvePipelineFile(loaded, new PluginCatalog({ cwd: dir }), env);
}

async function issuesOf(yaml: string, env: Record<string, string> = {}, extra: Record<string, string> = {}) {
  const dir = project({ 'p.yml': yaml, ...extra });
  try {
    await resolveIn(dir, 'p.yml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => ({ line: i.line, column: i.column, path: i.path, message: i.message }));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('pipeline files', () => {
  it('accepts the documented example and fills plugin defaults', async () => {
    const dir = project({ 'nightly.yml': ISSUE_EXAMPLE });
    const file = await resolveIn(dir, 'nightly.yml');
    expect(file.pipelines.map((p) => p.name)).toEqual(['sales', 'archive']);
    expect(file.pipelines[0].transforms[0].config).toEqual({ chunkSize: 10_000_000, header: 'first' });
    expect(file.pipelines[1].needs).toEqual(['sales']);
    expect(file.pipelines[0].source.config).toEqual({ path: './data/sales.csv', readSize: 1024 * 1024 });
  });

  it('finds the pipeline file the cosmiconfig way when none is named', async () => {
    const dir = project({ '.piperc.yml': ISSUE_EXAMPLE });
    const file = await resolveIn(dir);
    expect(file.file).toBe(join(dir, '.piperc.yml'));
  });

  it('reports YAML syntax errors with line and column', async () => {
    const dir = project({ 'p.yml': 'version: 1\npipelines:\n  a: [unclosed\n' });
    await expect(resolveIn(dir, 'p.yml')).rejects.toThrow(/p\.yml:\d+:\d+: YAML syntax/);
  });

  it('names an unknown plugin at its use: line and lists the available ones', async () => {
    const issues = await issuesOf('version: 1\npipelines:\n  a:\n    source: { use: fiel, with: { path: x } }\n    sink: { use: file, with: { path: y } }\n');
    expect(issues).toEqual([
      expect.objectContaining({
        line: 4,
        column: 20,
        path: 'pipelines.a.source.use',
        message: expect.stringMatching(/unknown source plugin "fiel"; available sources: file/),
      }),
    ]);
  });

  it('reports an unknown key at the key, with the valid keys', async () => {
    const issues = await issuesOf(
      'version: 1\npipelines:\n  a:\n    source:\n      use: file\n      with:\n        path: x\n        pth: y\n    sink: { use: file, with: { path: y } }\n',
    );
    expect(issues).toEqual([{ line: 8, column: 9, path: 'pipelines.a.source.with.pth', message: 'unknown key "pth"; valid keys: path, readSize' }]);
  });

  it('reports a missing key, a wrong type and a bad size string, all at once', async () => {
    const issues = await issuesOf(
      'version: 1\npipelines:\n  a:\n    source: { use: file, with: {} }\n    transforms:\n      - use: chunk-lines\n        with: { chunkSize: 10 parsecs, header: always }\n    sink: { use: file, with: { path: 7 } }\n',
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { line: 4, column: 32, path: 'pipelines.a.source.with', message: 'missing required key "path"' },
        expect.objectContaining({
          line: 7,
          column: 28,
          path: 'pipelines.a.transforms[0].with.chunkSize',
          message: expect.stringContaining('must be a size such as 10MB'),
        }),
        expect.objectContaining({
          line: 7,
          path: 'pipelines.a.transforms[0].with.header',
          message: expect.stringContaining('must be one of: "first", "repeat"'),
        }),
        expect.objectContaining({ line: 8, path: 'pipelines.a.sink.with.path', message: 'must be string (got number 7)' }),
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('rejects a chunk size outside 1MB..50MB with the range', async () => {
    const issues = await issuesOf(
      'version: 1\npipelines:\n  a:\n    source: { use: file, with: { path: x } }\n    transforms: [{ use: chunk-lines, with: { chunkSize: 60MB } }]\n    sink: { use: file, with: { path: y } }\n',
    );
    expect(issues[0].message).toBe('must be at most 50.0 MB (got 60.0 MB)');
  });

  it('reports a cycle in needs', async () => {
    const issues = await issuesOf(
      'version: 1\npipelines:\n  a:\n    needs: [b]\n    source: { use: file, with: { path: x } }\n    sink: { use: file, with: { path: y } }\n  b:\n    needs: [a]\n    source: { use: file, with: { path: x } }\n    sink: { use: file, with: { path: z } }\n',
    );
    expect(issues).toEqual([{ line: 4, column: 12, path: 'pipelines.a.needs', message: 'cycle in needs: a -> b -> a; remove one of these needs' }]);
  });

  it('fills ${VAR} and ${VAR:-default} from the environment and .env, and names a missing variable where it is used', async () => {
    const yaml =
      'version: 1\npipelines:\n  a:\n    source: { use: file, with: { path: "${IN}" } }\n    sink: { use: file, with: { path: "${OUT:-out.csv}" } }\n  b:\n    source: { use: file, with: { path: "${FROM_DOTENV}" } }\n    sink: { use: file, with: { path: "${NOPE}" } }\n';
    const dir = project({ 'p.yml': yaml, '.env': 'FROM_DOTENV=dot.csv\n' });
    const error = await resolveIn(dir, 'p.yml', { IN: 'in.csv' }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 8, path: 'pipelines.b.sink.with.path', message: expect.stringContaining('environment variable NOPE is not set') }),
    ]);
    const ok = await resolveIn(dir, 'p.yml', { IN: 'in.csv', NOPE: 'x' });
    expect(ok.pipelines[0].source.config).toMatchObject({ path: 'in.csv' });
    expect(ok.pipelines[0].sink.config).toMatchObject({ path: 'out.csv' });
    expect(ok.pipelines[1].source.config).toMatchObject({ path: 'dot.csv' });
  });

  it('collects values of variables named like secrets for redaction', async () => {
    const yaml =
      'version: 1\npipelines:\n  a:\n    source: { use: file, with: { path: "${DB_PASSWORD}.csv" } }\n    sink: { use: file, with: { path: out.csv } }\n';
    const dir = project({ 'p.yml': yaml });
    const file = await resolveIn(dir, 'p.yml', { DB_PASSWORD: 'hunter2-secret' });
    expect(file.secrets).toContain('hunter2-secret');
  });
});

describe('typed environment values', () => {
  it('an unquoted ${VAR} takes the YAML type of its value; a quoted one stays a string', async () => {
    const yaml =
      'version: 1\nconcurrency: ${PIPES:-3}\npipelines:\n  a:\n    source: { use: file, with: { path: "${N}" } }\n    sink: { use: file, with: { path: out.csv } }\n';
    const dir = project({ 'p.yml': yaml });
    const file = await resolveIn(dir, 'p.yml', { N: '42' });
    expect(file.concurrency).toBe(3);
    expect(file.pipelines[0].source.config).toMatchObject({ path: '42' });
  });
});
