/**
 * What a user of any oclif CLI expects, through the real binary: `pipe help [COMMAND]`, `-h`,
 * "did you mean" for a mistyped command, `pipe autocomplete`, and one `--json` envelope with the
 * warnings a command produced and one status vocabulary.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPE_BIN, pipe, workspace } from './run-pipe';

/** `text` without terminal colour and cursor sequences. */
// eslint-disable-next-line no-control-regex -- terminal escape sequences are what it removes
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('help', () => {
  it("pipe help run shows the command's usage, flags and the --json envelope it prints", async () => {
    const result = await pipe(['help', 'run'], { cwd: workspace({}) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Run the pipelines of a pipeline file.');
    expect(result.stdout).toMatch(/USAGE\n\s+\$ pipe run \[FILE\]/);
    expect(result.stdout).toMatch(/--dry-run\s+Validate and print the plan/);
    expect(result.stdout).toMatch(/--json\s+Print one JSON document on stdout/);
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('status is ok (exit 0), failed (1), invalid (2: invalid pipeline file or usage) or interrupted (130)');
  });

  it('pipe -h lists the commands and topics, and pipe validate -h is the help of validate', async () => {
    const top = await pipe(['-h'], { cwd: workspace({}) });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/COMMANDS[\s\S]*\n\s+run\s+Run the pipelines of a pipeline file\./);
    expect(top.stdout).toMatch(/\n\s+validate\s+Check a pipeline file without running it\./);
    expect(top.stdout).toMatch(/TOPICS[\s\S]*\n\s+auth\s+Log in to services/);

    const validate = await pipe(['validate', '-h'], { cwd: workspace({}) });
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/USAGE\n\s+\$ pipe validate \[FILE\]/);
  });
});

describe('a mistyped command', () => {
  it('in a terminal, pipe rnu asks "Did you mean run?"; answered no, it exits 127 pointing at pipe help', async () => {
    // A pseudo-terminal from util-linux `script`: the suggestion is a prompt, offered only to a person at a terminal.
    const child = spawn('script', ['-qec', `${process.execPath} ${PIPE_BIN} rnu`, '/dev/null'], {
      cwd: workspace({}),
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (!plain(output).includes('Did you mean run?')) await new Promise((r) => setTimeout(r, 20));
    child.stdin.write('n\r');
    expect(await exited).toBe(127);
    expect(plain(output)).toContain('rnu is not a pipe command.');
    expect(plain(output)).toContain('Run pipe help for a list of available commands.');
  });

  it('from a script, pipe rnu fails with exit code 127 and says it is not a command, without waiting for an answer', async () => {
    const result = await pipe(['rnu'], { cwd: workspace({}) });
    expect(result.code).toBe(127);
    expect(plain(result.stderr)).toContain('rnu is not a pipe command.');
  });
});

describe('pipe autocomplete', () => {
  it('prints the setup for bash and writes a completion script that knows every command and its flags', async () => {
    const dir = workspace({});
    const env = { PIPE_CACHE_DIR: join(dir, 'cache') };
    const setup = await pipe(['autocomplete', 'bash'], { cwd: dir, env });
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('$(pipe autocomplete script bash)');

    const script = await pipe(['autocomplete', 'script', 'bash'], { cwd: dir, env });
    expect(script.code).toBe(0);
    expect(script.stdout).toContain(`PIPE_AC_BASH_SETUP_PATH=${join(dir, 'cache', 'autocomplete', 'bash_setup')}`);

    const completion = readFileSync(join(dir, 'cache', 'autocomplete', 'functions', 'bash', 'pipe.bash'), 'utf8');
    expect(completion).toMatch(/^run --json --pipeline --only-failed --dry-run/m);
    expect(completion).toMatch(/^validate --json$/m);
    expect(completion).toMatch(/^auth:login --json --client-id/m);
  });
});

describe('--json', () => {
  it('holds status, exitCode and warnings with the result, and the same status words for an error', async () => {
    const dir = workspace({
      'p.yml': 'version: 1\npipelines:\n  copy:\n    source: { use: file, with: { path: ./in.csv } }\n    sink: { use: file, with: { path: ./out.csv } }\n',
      'bad.yml': 'version: 1\npipelines:\n  copy:\n    source: { use: file }\n',
      'in.csv': 'a\n1\n',
    });
    const ok = await pipe(['validate', 'p.yml', '--json'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ status: 'ok', exitCode: 0, warnings: [], result: { file: join(dir, 'p.yml'), pipelines: ['copy'] } });

    const invalid = await pipe(['validate', 'bad.yml', '--json'], { cwd: dir });
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ status: 'invalid', exitCode: 2, warnings: [], error: { code: expect.any(String) } });

    const usage = await pipe(['run', 'p.yml', '--pipeline', 'nope', '--json'], { cwd: dir });
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ status: 'invalid', exitCode: 2, warnings: [] });
  });

  it('a run whose pipeline fails says failed; the warnings list what the command warned about', async () => {
    const dir = workspace({
      'p.yml':
        'version: 1\npipelines:\n  copy:\n    source: { use: file, with: { path: ./missing.csv } }\n    sink: { use: file, with: { path: ./out.csv } }\n',
      'node_modules/pipe-plugin-broken/package.json': JSON.stringify({ name: 'pipe-plugin-broken', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-broken/index.js': "require('left-pad');\n",
    });
    const failed = await pipe(['run', 'p.yml', '--json'], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', exitCode: 1, warnings: [], result: { status: 'failed' } });

    const listed = await pipe(['plugins', '--json'], { cwd: dir });
    expect(listed.code).toBe(0);
    const doc = JSON.parse(listed.stdout);
    expect(doc.status).toBe('ok');
    expect(doc.warnings).toEqual([expect.stringMatching(/^plugin package pipe-plugin-broken could not be loaded: Cannot find module 'left-pad'/)]);
    expect(listed.stderr).not.toContain('pipe-plugin-broken');

    const human = await pipe(['plugins'], { cwd: dir });
    expect(human.stderr).toMatch(/^warning: plugin package pipe-plugin-broken could not be loaded/m);
  });
});
