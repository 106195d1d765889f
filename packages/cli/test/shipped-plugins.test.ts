/** The plugin packages the CLI ships with load through Node's require, not the TypeScript loader. */
import { join } from 'node:path';
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
