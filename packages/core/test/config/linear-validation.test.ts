// Validation work must grow with the file: each schema is compiled once, however many stages use it.
// (A file of its own: the count starts from a fresh module registry, before anything compiled.)
import { join } from 'node:path';
import Ajv from 'ajv';
import { chunkLines, dirSink, fileSource, loadPipelineFile, PluginCatalog, resolvePipelineFile } from '../../src/engine';
import { PipelineFileSchema } from '../../src/config/pipeline-file-schema';
import { project } from '../helpers';

function pipelinesFile(count: number, firstIndex = 0): string {
  const pipelines = Array.from({ length: count }, (_, k) => {
    const i = firstIndex + k;
    return `  p${i}:\n    source: { use: file, with: { path: in-${i}.csv } }\n    transforms: [{ use: chunk-lines, with: { chunkSize: 2MB } }]\n    sink: { use: dir, with: { path: out-${i} } }\n`;
  });
  return `version: 1\npipelines:\n${pipelines.join('')}`;
}

async function validate(dir: string, file: string) {
  return resolvePipelineFile(await loadPipelineFile({ file: join(dir, file), cwd: dir }), new PluginCatalog({ cwd: dir }), {});
}

it('50 pipelines using three plugins compile each plugin schema once and the file schema once; a second file compiles nothing', async () => {
  const compile = jest.spyOn(Ajv.prototype, 'compile');
  const dir = project({ 'a.yml': pipelinesFile(50), 'b.yml': pipelinesFile(80, 50) });

  const first = await validate(dir, 'a.yml');
  expect(first.pipelines).toHaveLength(50);
  expect(first.pipelines[49].transforms[0].config).toEqual({ chunkSize: 2_000_000, header: 'first' });
  const compiled = compile.mock.calls.map(([schema]) => schema);
  expect(compiled).toHaveLength(4);
  expect(new Set(compiled)).toEqual(new Set([PipelineFileSchema, fileSource.config, chunkLines.config, dirSink.config]));

  compile.mockClear();
  expect((await validate(dir, 'b.yml')).pipelines).toHaveLength(80);
  expect(compile).not.toHaveBeenCalled();
  compile.mockRestore();
});
