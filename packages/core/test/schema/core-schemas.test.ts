/**
 * At run time ajv skips the meta-schema check for core's own schemas (compiling the meta-schema
 * would cost every start); this is where they get it. A plugin's schema from outside core is still
 * checked when first used.
 */
import Ajv from 'ajv';
import { join } from 'node:path';
import { builtinPlugins, loadPipelineFile, PipelineFileSchema, PluginCatalog, resolvePipelineFile } from '../../src/engine';
import { RetrySettings } from '../../src/schema/config-blocks';
import { project } from '../helpers';

describe("core's own schemas", () => {
  const ajv = new Ajv({ strict: false });
  const schemas: [string, object][] = [
    ['the pipeline file', PipelineFileSchema],
    ['RetrySettings', RetrySettings],
    ...builtinPlugins.map((p): [string, object] => [`${p.kind} ${p.name}`, p.config]),
  ];

  it.each(schemas)('%s is a valid JSON Schema (draft-07 meta-schema)', (_name, schema) => {
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
  });
});

describe("a plugin's schema from outside core", () => {
  it('is checked against the meta-schema before its first use', async () => {
    const pluginJs = `exports.odd = { kind: 'sink', name: 'odd', summary: 'x', config: { type: 'object', properties: { n: { type: 'integer', minimum: 'one' } } }, async consume() { return {}; } };`;
    const dir = project({
      'odd.js': pluginJs,
      'p.yml': 'version: 1\npipelines:\n  a:\n    source: { use: file, with: { path: ./in.csv } }\n    sink: { use: ./odd.js }\n',
    });
    const loaded = await loadPipelineFile({ file: join(dir, 'p.yml'), cwd: dir });
    await expect(resolvePipelineFile(loaded, new PluginCatalog({ cwd: dir }), {})).rejects.toThrow(/schema is invalid: .*minimum must be number/);
  });
});
