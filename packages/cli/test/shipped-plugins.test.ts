/** The plugin packages the CLI ships with load through Node's require, not the TypeScript loader, and their validators come precompiled. */
import { basename, join } from 'node:path';
import { schemaKey, type PrecompiledVerdicts } from '@pipe/core/pipeline-file';
import { shippedSchemas } from '../src/build-precompiled-verdicts';
import { PRECOMPILED_VERDICTS_FILE } from '../src/precompiled-verdicts';
import { pipe, workspace } from './run-pipe';

const PIPELINE = `version: 1
pipelines:
  nightly:
    source: { use: sfdc-report, with: { instanceUrl: "https://acme.my.salesforce.com", reportId: 00O5e000008abcdEAA, auth: { type: session, sessionId: x } } }
    sink:
      use: anaplan
      with: { workspace: w, model: m, file: f, auth: { type: basic, username: u, password: p } }
`;

// Preloaded into the binary: says at exit whether jiti was ever loaded.
const REPORT_JITI = `process.on('exit', () => {
  process.stderr.write('jiti=' + Object.keys(require.cache).some((f) => f.includes('/jiti/')) + '\\n');
});`;

describe('shipped plugin packages', () => {
  it('pipe validate resolves sfdc-report and anaplan without loading jiti', async () => {
    const dir = workspace({ 'p.yml': PIPELINE, 'report.js': REPORT_JITI });
    const result = await pipe(['validate', 'p.yml'], { cwd: dir, env: { NODE_OPTIONS: `--require ${join(dir, 'report.js')}` } });
    expect(result.stdout + result.stderr).toMatch(/valid/i);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('jiti=false');
  });
});

describe('the validators the build precompiled', () => {
  it('cover the pipeline file and every plugin the CLI ships, as their schemas are now', async () => {
    // The build writes them beside the compiled CLI (this test runs the TypeScript sources).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const built = require(join(__dirname, '..', 'dist', basename(PRECOMPILED_VERDICTS_FILE))) as PrecompiledVerdicts;
    const schemas = await shippedSchemas();
    expect(schemas.length).toBeGreaterThan(6);
    expect(schemas.filter((schema) => typeof built[schemaKey(schema)] !== 'function').map((schema) => schema.title ?? schema.description ?? '?')).toEqual([]);
  });
});
