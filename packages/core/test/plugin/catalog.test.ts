import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PluginCatalog, UnknownPluginError } from '../../src/engine';
import { project } from '../helpers';

const SINK_JS = `const { defineSink, Type } = require(${JSON.stringify(join(__dirname, '../../src'))});
exports.countSink = defineSink({ name: 'count', summary: 'Counts bytes.', config: Type.Object({}), async consume(input) { let n = 0; for await (const p of input) if (p.type === 'data') n += p.data.length; return { outputs: [n + ' bytes'] }; } });
`;

describe('plugin catalog', () => {
  it('finds installed plugin packages by their "pipe" entry and resolves use: by plugin name', async () => {
    const dir = project({
      'node_modules/pipe-plugin-count/package.json': JSON.stringify({ name: 'pipe-plugin-count', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-count/index.js': SINK_JS,
      'node_modules/unrelated/package.json': JSON.stringify({ name: 'unrelated' }),
    });
    const catalog = new PluginCatalog({ cwd: join(dir, 'sub') });
    const entry = await catalog.resolve('count', 'sink');
    expect(entry.origin).toBe('pipe-plugin-count');
    expect((await catalog.entries()).map((e) => `${e.plugin.kind}:${e.plugin.name}`)).toEqual([
      'source:file',
      'transform:chunk-lines',
      'sink:file',
      'sink:dir',
      'sink:count',
    ]);
  });

  it('loads a module by path or by npm package name, and says what a module lacks', async () => {
    const dir = project({
      'plugins/count.js': SINK_JS,
      'node_modules/some-npm-plugin/package.json': JSON.stringify({ name: 'some-npm-plugin', main: 'main.js' }),
      'node_modules/some-npm-plugin/main.js': SINK_JS,
    });
    const catalog = new PluginCatalog({ cwd: dir });
    expect((await catalog.resolve('./plugins/count.js', 'sink')).plugin.name).toBe('count');
    expect((await catalog.resolve('some-npm-plugin', 'sink')).origin).toBe('some-npm-plugin');
    await expect(catalog.resolve('./plugins/count.js', 'source')).rejects.toThrow('"./plugins/count.js" exports no source plugin (it has: sink count)');
    await expect(catalog.resolve('./plugins/missing.js', 'sink')).rejects.toThrow(/cannot load sink plugin "\.\/plugins\/missing\.js"/);
    const unknown = await catalog.resolve('nothing-like-this', 'transform').catch((e) => e);
    expect(unknown).toBeInstanceOf(UnknownPluginError);
    expect(unknown.message).toContain('available transforms: chunk-lines');
  });

  it("loads the entries it is told are native with Node's require, and never loads jiti for them", () => {
    const dir = project({
      'node_modules/pipe-plugin-count/package.json': JSON.stringify({ name: 'pipe-plugin-count', pipe: { plugins: './index.js' } }),
      'node_modules/pipe-plugin-count/index.js': SINK_JS.replace(JSON.stringify(join(__dirname, '../../src')), JSON.stringify(join(__dirname, '../../dist'))),
    });
    // A fresh process on the build, so that nothing else has loaded jiti yet.
    const script = (native: boolean) => `
      const { realpathSync } = require('node:fs');
      const { PluginCatalog } = require(${JSON.stringify(join(__dirname, '../../dist/engine'))});
      const entry = realpathSync(${JSON.stringify(join(dir, 'node_modules/pipe-plugin-count/index.js'))});
      new PluginCatalog({ cwd: ${JSON.stringify(dir)}${native ? ', nativeEntries: new Set([entry])' : ''} }).resolve('count', 'sink').then((e) => {
        const jiti = Object.keys(require.cache).some((f) => f.includes('/jiti/'));
        process.stdout.write(JSON.stringify({ name: e.plugin.name, jiti }));
      });`;
    const run = (native: boolean) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script(native)], { encoding: 'utf8' })) as { name: string; jiti: boolean };
    expect(run(true)).toEqual({ name: 'count', jiti: false });
    expect(run(false)).toEqual({ name: 'count', jiti: true });
  });
});
