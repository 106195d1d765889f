/** `pipe schema`, `pipe plugins describe --json` agreeing with it, and the generated docs being current. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pipe, workspace } from './run-pipe';

const ROOT = join(__dirname, '../../..');
// A plain draft-07 validator and a YAML parser, as an editor has them; the CLI package itself depends on neither.
const fromCore = createRequire(join(ROOT, 'packages/core/package.json'));

// JSON read back from the commands: walked freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Schema = { [key: string]: any };

interface DraftValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string }[] | null;
}
const Ajv = fromCore('ajv') as new (options: object) => { compile(schema: object): DraftValidator };
const { parse: parseYaml } = fromCore('yaml') as { parse: (text: string) => Schema };

async function printedSchema(cwd = workspace({})): Promise<Schema> {
  const result = await pipe(['schema'], { cwd });
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as Schema;
}

/** The `with:` schema the stage of `kind` applies when `use:` is `name`. */
function withSchemaOf(schema: Schema, kind: 'source' | 'transform' | 'sink', name: string): Schema {
  const pipeline = Object.values(schema.properties.pipelines.patternProperties)[0] as Schema;
  const stage = kind === 'transform' ? pipeline.properties.transforms.items : pipeline.properties[kind];
  const selected = (stage.allOf as Schema[]).find((rule) => rule.if.properties.use.const === name);
  return selected!.then.properties.with;
}

/** Whether the setting at a `pipe plugins describe` key (`auth{type=basic}.username`) is required all the way down in `schema`. */
function requiredIn(schema: Schema, key: string): boolean {
  let node = schema;
  for (const part of key.split('.')) {
    const [, name, tag] = /^([^{]+)(?:\{type=(.+)\})?$/.exec(part)!;
    if (!(node.required ?? []).includes(name)) return false;
    node = node.properties[name];
    if (tag !== undefined) {
      const tagOf = (branch: Schema) => branch.properties?.type?.const ?? branch.properties?.type?.anyOf?.[0]?.const;
      node = (node.anyOf as Schema[]).find((branch) => tagOf(branch) === tag)!;
    }
  }
  return true;
}

describe('pipe schema', () => {
  it('prints a draft-07 schema with the with: of each plugin under the use: that selects it', async () => {
    const schema = await printedSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const anaplan = withSchemaOf(schema, 'sink', 'anaplan');
    expect(Object.keys(anaplan.properties)).toEqual(expect.arrayContaining(['workspace', 'model', 'file', 'auth', 'concurrency', 'chunkSize']));
    expect(anaplan.required).toEqual(['workspace', 'model', 'file', 'auth']);
    // file is a source and a sink, each with its own settings.
    expect(withSchemaOf(schema, 'sink', 'file').properties).toHaveProperty('durable');
    expect(withSchemaOf(schema, 'source', 'file').properties).not.toHaveProperty('durable');
  });

  it('passes the examples, ${VAR} numbers included, and fails a word where a number goes', async () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(await printedSchema());
    for (const name of ['files.yml', 'nightly.yml']) {
      const text = readFileSync(join(ROOT, 'examples', name), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/pipe.schema.json');
      expect([name, validate(parseYaml(text)), validate.errors]).toEqual([name, true, null]);
    }
    const nightly = parseYaml(readFileSync(join(ROOT, 'examples', 'nightly.yml'), 'utf8'));
    expect(nightly.pipelines.opportunities.sink.with.pollIntervalMs).toBe('${ANAPLAN_POLL_INTERVAL_MS:-5000}');

    const files = parseYaml(readFileSync(join(ROOT, 'examples', 'files.yml'), 'utf8'));
    expect(validate({ ...files, concurrency: '${PIPE_CONCURRENCY:-4}' })).toBe(true);
    expect(validate({ ...files, concurrency: 'eight' })).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain('/concurrency');
  });

  it('writes the same schema to a file with --output', async () => {
    const dir = workspace({});
    const result = await pipe(['schema', '--output', 'editor/pipe.schema.json'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: `Wrote the pipeline file schema to ${join(dir, 'editor/pipe.schema.json')}\n` });
    expect(JSON.parse(readFileSync(join(dir, 'editor/pipe.schema.json'), 'utf8'))).toEqual(await printedSchema(dir));
  });

  it('says what is wrong when --output cannot be written', async () => {
    const dir = workspace({ blocker: 'a file, not a folder' });
    const result = await pipe(['schema', '--output', 'blocker/pipe.schema.json'], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(`cannot write ${join(dir, 'blocker/pipe.schema.json')}: a file stands where its folder should be`);
  });

  it('warns about a plugin package that does not load, and still prints the schema of the others', async () => {
    const dir = workspace({
      'node_modules/pipe-plugin-broken/package.json': JSON.stringify({ name: 'pipe-plugin-broken', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-broken/index.js': "throw new Error('missing dependency left-pad');",
    });
    const result = await pipe(['schema'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: plugin package pipe-plugin-broken could not be loaded, its plugins are not in the schema: missing dependency left-pad',
    );
    expect(withSchemaOf(JSON.parse(result.stdout) as Schema, 'sink', 'anaplan').required).toEqual(['workspace', 'model', 'file', 'auth']);
  });
});

describe('pipe plugins describe --json', () => {
  it('agrees with pipe schema on every plugin: the same with: schema, and required where the schema requires', async () => {
    const cwd = workspace({});
    const schema = await printedSchema(cwd);
    const listed = JSON.parse((await pipe(['plugins', '--json'], { cwd })).stdout).result as { name: string; kind: 'source' | 'transform' | 'sink' }[];
    expect(listed.map((p) => p.name)).toEqual(expect.arrayContaining(['file', 'chunk-lines', 'dir', 'sfdc-report', 'anaplan']));
    for (const { name, kind } of listed) {
      const described = await pipe(['plugins', 'describe', name, '--kind', kind, '--json'], { cwd });
      const { schema: withSchema, settings } = JSON.parse(described.stdout).result as {
        schema: Schema;
        settings: { key: string; required: boolean; description?: string }[];
      };
      const inSchema = withSchemaOf(schema, kind, name);
      expect([name, withSchema]).toEqual([name, inSchema]);
      for (const setting of settings) expect([name, setting.key, setting.required]).toEqual([name, setting.key, requiredIn(inSchema, setting.key)]);
    }
  });
});

describe('the generated docs', () => {
  it('are current: docs/pipe.schema.json and docs/plugins/*.md match the plugins schemas', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/plugin-docs.js'), '--check'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    // On failure the message names the stale files and the command that regenerates them.
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
