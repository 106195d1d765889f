/**
 * Start-up loads only what a command needs. Checked by the modules a real `pipe` process has
 * loaded when it exits (a `--require` script records `require.cache`), never by timing: no plugin
 * package, schema compiler or emulator for `--version`, `help` or `auth list`; `validate` loads
 * only the plugin packages the file uses, and no schema compiler while the file is valid (the
 * build precompiled the validators).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { anaplanLoadPipeline } from './anaplan-pipeline';
import { pipe, workspace } from './run-pipe';

const RECORDER = `process.on('exit', () => require('node:fs').writeFileSync(process.env.PIPE_TEST_MODULES_FILE, Object.keys(require.cache).join('\\n')));\n`;

/** The modules `pipe args` had loaded when it exited, and its result. */
async function modulesLoadedBy(args: string[], files: Record<string, string> = {}) {
  const dir = workspace({ 'record-modules.js': RECORDER, ...files });
  const list = join(dir, 'modules.txt');
  writeFileSync(list, '');
  const result = await pipe(args, {
    cwd: dir,
    env: { NODE_OPTIONS: `--require ${join(dir, 'record-modules.js')}`, PIPE_TEST_MODULES_FILE: list, ANAPLAN_PASSWORD: 'x' },
  });
  return { result, modules: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
}

type Kind = readonly [name: string, pattern: RegExp];

const PLUGIN_PACKAGE: Kind = ['plugin package', /[\\/](?:packages|@pipe)[\\/](?:source-sfdc|sink-anaplan)[\\/]/];
const EMULATOR: Kind = ['emulator', /[\\/](?:packages|@pipe)[\\/]emulator-[a-z]+[\\/]/];
const TYPEBOX: Kind = ['schema builder (typebox)', /[\\/]node_modules[\\/]@sinclair[\\/]typebox[\\/]/];
const RUN_ENGINE: Kind = ['engine', /[\\/]core[\\/]dist[\\/]engine[\\/]/];
const SEMVER: Kind = ["oclif's Node version check (semver)", /[\\/]node_modules[\\/]semver[\\/]/];
/** ajv's compiler; precompiled validators load only its small runtime helpers (ajv/dist/runtime/). */
const SCHEMA_COMPILER: Kind = ['schema compiler (ajv)', /[\\/]node_modules[\\/]ajv[\\/]dist[\\/](?!runtime[\\/])/];

/** What `--version`, `help` and `auth list` must not load. */
const NOT_FOR_LIGHT_COMMANDS: readonly Kind[] = [
  PLUGIN_PACKAGE,
  EMULATOR,
  ['schema compiler (ajv)', /[\\/]node_modules[\\/]ajv[\\/]/],
  TYPEBOX,
  ['YAML parser', /[\\/]node_modules[\\/]yaml[\\/]/],
  RUN_ENGINE,
  SEMVER,
];

/** What `validate` of a named file that uses only built-in plugins must not load. */
const NOT_FOR_VALIDATE: readonly Kind[] = [
  PLUGIN_PACKAGE,
  EMULATOR,
  SCHEMA_COMPILER,
  TYPEBOX,
  SEMVER,
  ['logger (pino)', /[\\/]node_modules[\\/]pino[\\/]/],
  ['config search (cosmiconfig)', /[\\/]node_modules[\\/]cosmiconfig[\\/]/],
  ['.env parser (dotenv)', /[\\/]node_modules[\\/]dotenv[\\/]/],
  RUN_ENGINE,
];

/** Which of `kinds` are in `modules`. */
function loaded(modules: readonly string[], kinds: readonly Kind[]): string[] {
  return kinds.filter(([, pattern]) => modules.some((m) => pattern.test(m))).map(([name]) => name);
}

describe.each([[['--version']], [['help']], [['help', 'run']], [['auth', 'list']]])('pipe %j', (args) => {
  it('loads no plugin package, emulator, schema compiler or builder, YAML parser, engine or version check', async () => {
    const { result, modules } = await modulesLoadedBy(args);
    expect(result.code).toBe(0);
    expect(modules.length).toBeGreaterThan(0);
    expect(loaded(modules, NOT_FOR_LIGHT_COMMANDS)).toEqual([]);
  });
});

describe('pipe validate', () => {
  it('of a file using only built-in plugins loads no plugin package, emulator, schema compiler, TypeBox, logger, config search, .env parser or run engine', async () => {
    const { result, modules } = await modulesLoadedBy(['validate', 'p.yml'], {
      'p.yml': 'version: 1\npipelines:\n  copy:\n    source: { use: file, with: { path: ./in.csv } }\n    sink: { use: file, with: { path: ./out.csv } }\n',
    });
    expect(result.code).toBe(0);
    expect(loaded(modules, NOT_FOR_VALIDATE)).toEqual([]);
  });

  it('of a file using the anaplan sink loads that package, and neither the Salesforce one, an emulator, the schema compiler nor TypeBox', async () => {
    const yaml = anaplanLoadPipeline({ apiUrl: 'https://api.anaplan.com/2/0', authUrl: 'https://auth.anaplan.com' });
    const { result, modules } = await modulesLoadedBy(['validate', 'p.yml'], { 'p.yml': yaml });
    expect(result.code).toBe(0);
    expect(modules.some((m) => /[\\/](?:packages|@pipe)[\\/]sink-anaplan[\\/]/.test(m))).toBe(true);
    expect(modules.filter((m) => /[\\/](?:packages|@pipe)[\\/](?:source-sfdc|emulator-[a-z]+)[\\/]/.test(m))).toEqual([]);
    // The shipped plugins build their schemas with core's JsonType.
    expect(loaded(modules, [TYPEBOX, SCHEMA_COMPILER])).toEqual([]);
  });

  it('of an invalid file compiles the schema to say what is wrong, at the key', async () => {
    const { result, modules } = await modulesLoadedBy(['validate', 'p.yml'], {
      'p.yml':
        'version: 1\npipelines:\n  copy:\n    source: { use: file, with: { path: ./in.csv } }\n    transforms:\n      - { use: chunk-lines, with: { chunkSize: 10 parsecs } }\n    sink: { use: file, with: { path: ./out.csv } }\n',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/p\.yml:6:\d+.*chunkSize.*must be a size such as 10MB/);
    expect(loaded(modules, [SCHEMA_COMPILER])).toEqual(['schema compiler (ajv)']);
  });
});
