import { join } from 'node:path';
import { PluginCatalog } from '../../src/engine';
import { project } from '../helpers';

const SINK_JS = `const { defineSink, Type } = require(${JSON.stringify(join(__dirname, '../../src'))});
exports.countSink = defineSink({ name: 'count', summary: 'Counts bytes.', config: Type.Object({}), async consume() { return { outputs: [] }; } });
`;

/** A plugin package whose loading shows: it fails, and the catalog lists it as broken. */
const LOUD_JS = `throw new Error('loaded pipe-plugin-other');\n`;

describe('plugin catalog loading', () => {
  it('resolving use: by name loads the package that has it, not every installed one', async () => {
    const dir = project({
      'node_modules/pipe-plugin-count/package.json': JSON.stringify({ name: 'pipe-plugin-count', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-count/index.js': SINK_JS,
      'node_modules/pipe-plugin-other/package.json': JSON.stringify({ name: 'pipe-plugin-other', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-other/index.js': LOUD_JS,
    });
    const catalog = new PluginCatalog({ cwd: dir });
    expect((await catalog.resolve('count', 'sink')).origin).toBe('pipe-plugin-count');
    expect([...catalog.broken.keys()]).toEqual([]);

    // A name no package has still loads them all, to list what there is and what is broken.
    await expect(catalog.resolve('nothing-like-this', 'sink')).rejects.toThrow(
      /available sinks: file, dir, count.*pipe-plugin-other \(loaded pipe-plugin-other\)/,
    );
  });

  it('a package in a folder nearer the pipeline file wins a name over one further up', async () => {
    const dir = project({
      'node_modules/pipe-plugin-count/package.json': JSON.stringify({ name: 'pipe-plugin-count', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-count/index.js': SINK_JS,
      'project/node_modules/local-sinks/package.json': JSON.stringify({ name: 'local-sinks', pipe: { plugins: './index.js' } }),
      'project/node_modules/local-sinks/index.js': SINK_JS,
    });
    const catalog = new PluginCatalog({ cwd: join(dir, 'project') });
    expect((await catalog.resolve('count', 'sink')).origin).toBe('local-sinks');
  });
});
