/**
 * Two pipelines of one file load the same Anaplan file, one naming it by id and one by name, and
 * `concurrency: 2` lets them run at once. Each upload and the import that reads it must happen
 * alone: otherwise the chunks interleave, both imports read one mixture, and the other input is
 * silently never imported.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { IDS, opportunitiesCsv } from '../../packages/sink-anaplan/test/support/anaplan-fixture';
import { pipe, workspace } from '../../packages/cli/test/run-pipe';

const LOAD_ROUTES = new Set(['files.chunkCount', 'files.chunk.put', 'files.complete', 'imports.tasks.start']);

function pipelineFile(emulator: AnaplanEmulator): string {
  const sink = (file: string) => `
      use: anaplan
      with:
        workspace: ${IDS.workspace}
        model: ${IDS.model}
        file: ${file}
        import: ${IDS.import}
        auth: { type: basic, username: ops@acme.com, password: "\${ANAPLAN_PASSWORD}" }
        concurrency: 4
        apiUrl: ${emulator.apiUrl}
        authUrl: ${emulator.authUrl}
        pollIntervalMs: 20`;
  return `version: 1
concurrency: 2
pipelines:
  east:
    source: { use: file, with: { path: ./east.csv } }
    transforms: [{ use: chunk-lines, with: { chunkSize: 1MB } }]
    sink:${sink(IDS.file)}
  west:
    source: { use: file, with: { path: ./west.csv } }
    transforms: [{ use: chunk-lines, with: { chunkSize: 1MB } }]
    sink:${sink('Opportunities.csv')}
`;
}

describe('two pipelines that load one Anaplan file', () => {
  let emulator: AnaplanEmulator;
  beforeAll(async () => {
    emulator = await startAnaplanEmulator({ host: '127.0.0.1', port: 0, taskDurationMs: 200 });
  });
  afterAll(() => emulator?.stop());

  it('upload and import one after the other, in file order, and each import reads its own whole input', async () => {
    const east = opportunitiesCsv(30_000);
    const west = opportunitiesCsv(20_000);
    const dir = workspace({ 'east.csv': east, 'west.csv': west });
    writeFileSync(join(dir, 'nightly.yml'), pipelineFile(emulator));

    const result = await pipe(['run', 'nightly.yml', '--json'], { cwd: dir, env: { ANAPLAN_PASSWORD: 'demo-password' } });
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout).result;
    const processed = Object.fromEntries(
      run.pipelines.map((p: { name: string; sink: { details: { import: { rowsProcessed: number } } } }) => [p.name, p.sink.details.import.rowsProcessed]),
    );
    expect(processed).toEqual({ east: 30_000, west: 20_000 });

    // The emulator saw one whole load (start, chunks, complete, import) and then the other.
    const loads = emulator.requests.filter((r) => r.route && LOAD_ROUTES.has(r.route)).map((r) => r.route);
    const firstImport = loads.indexOf('imports.tasks.start');
    expect(loads[0]).toBe('files.chunkCount');
    expect(loads.slice(1, firstImport - 1).every((r) => r === 'files.chunk.put')).toBe(true);
    expect(loads[firstImport - 1]).toBe('files.complete');
    expect(loads[firstImport + 1]).toBe('files.chunkCount');
    expect(loads.filter((r) => r === 'imports.tasks.start')).toHaveLength(2);
    expect(loads.at(-1)).toBe('imports.tasks.start');
    // ...and the second upload began only after the first import was polled to its end.
    const all = emulator.requests.map((r) => r.route);
    const secondStart = all.lastIndexOf('files.chunkCount');
    expect(all.slice(all.indexOf('imports.tasks.start'), secondStart)).toContain('imports.tasks.get');
  });
});
