/**
 * pipe as a user gets it: `pnpm run pack` writes the tarballs, `npm install -g --prefix DIR
 * packed/*.tgz` installs them (third-party dependencies from the registry, pipe's own from the
 * tarballs), and that `pipe`, far from this repo, runs a pipeline from the pipeline's folder,
 * starts an emulator a pipeline reads from, and scaffolds a plugin whose `npm install && npm test`
 * pass and which a project then installs and uses. Slow (real npm installs), so one prefix for all.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The environment of a user's shell: nothing of the pnpm or jest run this test is part of. */
function userEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // NODE_ENV=test (set by jest) would make oclif look for TypeScript sources, as in development.
    if (/^(npm_|pnpm_|NODE_V8_COVERAGE$|PIPE_CHILD_COVERAGE_DIR$|NODE_OPTIONS$|NODE_ENV$|JEST_|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PIPE_HOME: home };
}

interface Ran {
  code: number | null;
  output: string;
}

/** Runs a command to its end, asynchronously so jest's timers keep running. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function expectSuccess(ran: Ran, what: string): void {
  if (ran.code !== 0) throw new Error(`${what} exited ${ran.code}:\n${ran.output}`);
}

describe('the packed tarballs, installed with npm into an empty prefix', () => {
  let temp: string;
  let prefix: string;
  let pipeBin: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'pipe-install-'));
    prefix = join(temp, 'prefix');
    pipeBin = join(prefix, 'bin', 'pipe');
    env = userEnv(join(temp, 'home'));
    const packed = join(temp, 'packed');
    expectSuccess(await run(process.execPath, [join(REPO, 'scripts', 'pack.js'), '--out', packed], REPO, env), 'scripts/pack.js');
    expect(readdirSync(packed).sort()).toEqual(
      ['cli', 'core', 'emulator-anaplan', 'emulator-sfdc', 'queue', 'sink-anaplan', 'source-sfdc'].map((name) => `pipe-${name}@0.1.0.tgz`),
    );
    // Literally the documented command, the glob expanded by the shell.
    expectSuccess(await run('sh', ['-c', `npm install -g --prefix "${prefix}" packed/*.tgz`], temp, env), 'npm install -g');
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("runs a pipeline from the pipeline file's own folder", async () => {
    const project = join(temp, 'copy-project');
    mkdirSync(project);
    const csv = 'id,note\n1,"one, two"\n2,"line\nbreak"\n';
    writeFileSync(join(project, 'in.csv'), csv);
    writeFileSync(
      join(project, 'pipe.yml'),
      [
        'version: 1',
        'pipelines:',
        '  copy:',
        '    source: { use: file, with: { path: in.csv } }',
        '    transforms:',
        '      - use: chunk-lines',
        '        with: { chunkSize: 1MB }',
        '    sink: { use: file, with: { path: out/copy.csv } }',
        '',
      ].join('\n'),
    );
    const ran = await run(pipeBin, ['run'], project, env);
    expectSuccess(ran, 'pipe run');
    expect(ran.output).not.toMatch(/warn/i);
    expect(readFileSync(join(project, 'out', 'copy.csv'), 'utf8')).toBe(csv);
  });

  it('starts an emulator a pipeline reads from, and removes its key folder when stopped', async () => {
    const project = join(temp, 'emulator-project');
    mkdirSync(project);
    const emulator = spawn(pipeBin, ['emulate', 'sfdc'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    emulator.stderr.on('data', (d) => (printed += d));
    const exited = new Promise<number | null>((resolve) => emulator.on('close', resolve));
    try {
      while (!printed.includes('Press Ctrl-C')) {
        if (emulator.exitCode !== null) throw new Error(`pipe emulate sfdc exited ${emulator.exitCode}:\n${printed}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1];
      const sessionId = /sessionId: (\S+) \}/.exec(printed)![1];
      const reportId = /^ {2}(00O\w{15}) /m.exec(printed)![1];
      const keyFile = /privateKeyFile: (\S+),/.exec(printed)![1];
      writeFileSync(
        join(project, 'pipe.yml'),
        [
          'version: 1',
          'pipelines:',
          '  report:',
          '    source:',
          '      use: sfdc-report',
          `      with: { instanceUrl: "${url}", auth: { type: session, sessionId: "${sessionId}" }, reportId: ${reportId} }`,
          '    sink: { use: file, with: { path: report.csv } }',
          '',
        ].join('\n'),
      );
      expectSuccess(await run(pipeBin, ['run'], project, env), 'pipe run against pipe emulate sfdc');
      expect(readFileSync(join(project, 'report.csv'), 'utf8').split('\n').length).toBeGreaterThan(2);
      expect(existsSync(keyFile)).toBe(true);
      emulator.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(dirname(keyFile))).toBe(false);
    } finally {
      emulator.kill();
    }
  });

  it(
    'scaffolds a plugin that installs and passes its test with npm, and that a project installs and uses',
    async () => {
      const work = join(temp, 'work');
      mkdirSync(work);
      expectSuccess(await run(pipeBin, ['plugins', 'new', 'transform', 'upper'], work, env), 'pipe plugins new');
      const plugin = join(work, 'pipe-plugin-upper');
      expect(JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')).devDependencies['@pipe/core']).toMatch(/^file:vendor\/pipe-core-0\.1\.0\.tgz$/);
      expectSuccess(await run('npm', ['install'], plugin, env), 'npm install (plugin)');
      const tested = await run('npm', ['test'], plugin, env);
      expectSuccess(tested, 'npm test (plugin)');
      expect(tested.output).toMatch(/Tests:\s+1 passed, 1 total/);

      const project = join(work, 'project');
      mkdirSync(project);
      writeFileSync(join(project, 'in.csv'), 'name,city\nada,zürich\n');
      writeFileSync(
        join(project, 'pipe.yml'),
        [
          'version: 1',
          'pipelines:',
          '  shout:',
          '    source: { use: file, with: { path: in.csv } }',
          '    transforms:',
          '      - use: upper',
          '    sink: { use: file, with: { path: out.csv } }',
          '',
        ].join('\n'),
      );
      expectSuccess(await run('npm', ['install', '../pipe-plugin-upper'], project, env), 'npm install ../pipe-plugin-upper');
      const listed = await run(pipeBin, ['plugins'], project, env);
      expectSuccess(listed, 'pipe plugins');
      expect(listed.output).toMatch(/^upper\s+transform\s+pipe-plugin-upper\s/m);
      expectSuccess(await run(pipeBin, ['run'], project, env), 'pipe run with use: upper');
      expect(readFileSync(join(project, 'out.csv'), 'utf8')).toBe('NAME,CITY\nADA,ZüRICH\n');
    },
    INSTALL_TIMEOUT_MS,
  );
});
