import { validatePluginConfig } from '@pipe/core';
import { InProcessTargetLocks } from '@pipe/core/engine';
import * as testing from '@pipe/core/testing';
import { anaplanSink, type AnaplanSinkConfig } from '../../src';
import { configFor, IDS, opportunitiesCsv, preCutPieces, runAnaplanSink, startEmulator, type AnaplanEmulator } from '../support/anaplan-fixture';

const MB = 1_000_000;

let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});

describe('the Anaplan file as a target', () => {
  it('is declared from the config as written: API host, workspace, model and file, exclusive', () => {
    const config = validatePluginConfig(anaplanSink, configFor(emulator, { file: 'Opportunities.csv' })) as AnaplanSinkConfig;
    expect(anaplanSink.targets!(config, { resolvePath: (p) => p })).toEqual([
      {
        key: `anaplan-file:${new URL(emulator.apiUrl).host}/${IDS.workspace}/${IDS.model}/Opportunities.csv`,
        label: `Anaplan file Opportunities.csv in model ${IDS.model}`,
        sharing: 'exclusive',
      },
    ]);
  });

  it('two runs naming one file differently (id, name) take turns: the second upload begins after the first import ended', async () => {
    const locks = new InProcessTargetLocks();
    const run = (pipeline: string, file: string, rows: number) => {
      const ctx = testing.createTestContext({ locks, pipeline, plugin: 'sink:anaplan', shape: { chunkSize: 1 * MB } });
      return runAnaplanSink(configFor(emulator, { file, import: IDS.import, compress: 'none' }), preCutPieces(opportunitiesCsv(rows), 1 * MB), { ctx });
    };
    const before = emulator.requests.length;
    const [east, west] = await Promise.all([run('east', IDS.file, 40_000), run('west', 'Opportunities.csv', 30_000)]);
    expect(east.error).toBeUndefined();
    expect(west.error).toBeUndefined();

    // Each import read its own whole input, not a mixture of both.
    expect(east.result?.details?.import).toMatchObject({ rowsProcessed: 40_000, rowsFailed: 0 });
    expect(west.result?.details?.import).toMatchObject({ rowsProcessed: 30_000, rowsFailed: 0 });

    const seen = emulator.requests.slice(before);
    const [, secondBegin] = seen.filter((r) => r.route === 'files.chunkCount');
    const firstTask = seen.find((r) => r.route === 'imports.tasks.get')!.path;
    const firstTaskDone = Math.max(...seen.filter((r) => r.path === firstTask).map((r) => r.endedAt ?? Infinity));
    const secondUploadPuts = seen.filter((r) => r.route === 'files.chunk.put' && r.seq > secondBegin.seq);
    expect(secondUploadPuts.length).toBeGreaterThan(1);
    expect(secondBegin.startedAt).toBeGreaterThanOrEqual(firstTaskDone);
    expect(secondUploadPuts[0].startedAt).toBeGreaterThanOrEqual(firstTaskDone);
  });
});
