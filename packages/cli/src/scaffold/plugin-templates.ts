/** The files of a new plugin package, by kind: a working plugin, its test, and packaging. */
import type { PluginKind } from '@pipe/core';

export interface TemplateOptions {
  readonly kind: PluginKind;
  /** Plugin name, as in `use:`. */
  readonly name: string;
  readonly coreVersion: string;
  /**
   * What the package's `@pipe/core` dev dependency installs from: `file:vendor/pipe-core-0.1.0.tgz`
   * (the core of the pipe that made it, packed beside it) or a registry range such as `^0.1.0`.
   */
  readonly coreSpec: string;
}

const camel = (name: string) => name.replace(/[-_](\w)/g, (_, c: string) => c.toUpperCase());

const SOURCE = (o: TemplateOptions) => `import { Config, dataPiece, defineSource, docEnd, Type, type Piece } from '@pipe/core';

/** A source: emits \`rows\` CSV rows as one document. Replace the body with your own reads. */
export const ${camel(o.name)} = defineSource({
  name: '${o.name}',
  summary: 'Emit generated CSV rows (replace with your source).',
  config: Config({
    rows: Type.Integer({ minimum: 0, default: 10, description: 'How many data rows to emit.' }),
  }),
  async *open(config, ctx): AsyncGenerator<Piece> {
    const doc = { id: '${o.name}', name: '${o.name}' };
    yield dataPiece(doc, Buffer.from('id,value\\n'));
    for (let i = 0; i < config.rows; i++) {
      if (ctx.signal.aborted) return;
      const row = Buffer.from(\`\${i},value \${i}\\n\`);
      ctx.progress.add({ bytes: row.length, records: 1 });
      yield dataPiece(doc, row);
    }
    yield docEnd(doc, config.rows);
  },
});
`;

const TRANSFORM = (o: TemplateOptions) => `import { Config, dataPiece, defineTransform, Type, type Piece } from '@pipe/core';

/** A transform: upper-cases ASCII letters in every data piece. Replace with your own change. */
export const ${camel(o.name)} = defineTransform({
  name: '${o.name}',
  summary: 'Upper-case ASCII letters (replace with your transform).',
  config: Config({
    enabled: Type.Boolean({ default: true, description: 'Pass data through unchanged when false.' }),
  }),
  create(config, ctx) {
    return {
      *push(piece: Piece): Iterable<Piece> {
        if (piece.type !== 'data' || !config.enabled) return yield piece;
        const out = Buffer.from(piece.data);
        for (let i = 0; i < out.length; i++) if (out[i] >= 0x61 && out[i] <= 0x7a) out[i] -= 0x20;
        ctx.progress.add({ bytes: out.length });
        yield dataPiece(piece.doc, out, piece.chunk);
      },
    };
  },
});
`;

const SINK = (o: TemplateOptions) => `import { AtomicFile, Config, defineSink, Type } from '@pipe/core';

/** A sink: writes every document to one file, atomically. Replace with your own delivery. */
export const ${camel(o.name)} = defineSink({
  name: '${o.name}',
  summary: 'Write everything to one file (replace with your sink).',
  config: Config({
    path: Type.String({ minLength: 1, description: 'Output file, relative to the pipeline file.' }),
  }),
  async consume(input, config, ctx) {
    const file = await AtomicFile.create(ctx.resolvePath(config.path));
    try {
      for await (const piece of input) {
        if (piece.type === 'failed') throw piece.error;
        if (piece.type === 'data') {
          await file.write(piece.data);
          ctx.progress.add({ bytes: piece.data.length });
        }
      }
      await file.commit();
      return { outputs: [file.path] };
    } finally {
      await file.discard();
    }
  },
});
`;

const TESTS: Record<PluginKind, (o: TemplateOptions) => string> = {
  source: (o) => `import * as testing from '@pipe/core/testing';
import { ${camel(o.name)} } from '../src';

test('emits a header and the configured number of rows, then ends the document', async () => {
  const pieces = await testing.runSource(${camel(o.name)}, { rows: 3 });
  expect(testing.joinData(pieces).toString()).toBe('id,value\\n0,value 0\\n1,value 1\\n2,value 2\\n');
  expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 3 });
});
`,
  transform: (o) => `import * as testing from '@pipe/core/testing';
import { ${camel(o.name)} } from '../src';

test('upper-cases every piece and keeps the document end', async () => {
  const out = await testing.runTransform(${camel(o.name)}, {}, testing.documentPieces('a,b\\nx,y\\n', { id: 'd', name: 'd' }, 3));
  expect(testing.joinData(out).toString()).toBe('A,B\\nX,Y\\n');
  expect(out[out.length - 1].type).toBe('end');
});
`,
  sink: (o) => `import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as testing from '@pipe/core/testing';
import { ${camel(o.name)} } from '../src';

test('writes every byte to the file', async () => {
  const cwd = mkdtempSync(join(tmpdir(), '${o.name}-'));
  const ctx = testing.createTestContext({ cwd });
  const result = await testing.runSink(${camel(o.name)}, { path: 'out.csv' }, testing.documentPieces('a,b\\n1,2\\n'), ctx);
  expect(readFileSync(join(cwd, 'out.csv'), 'utf8')).toBe('a,b\\n1,2\\n');
  expect(result.outputs).toEqual([join(cwd, 'out.csv')]);
});
`,
};

/** Where this package's @pipe/core comes from, and how to switch to the registry. */
function coreSection(o: TemplateOptions): string {
  if (!o.coreSpec.startsWith('file:')) return `\`@pipe/core\` comes from the registry (\`${o.coreSpec}\`).\n`;
  const tarball = o.coreSpec.slice('file:'.length);
  return [
    `\`@pipe/core\` is the core of the pipe that created this package, packed into \`${tarball}\`, so`,
    '`npm install` needs no registry that has it: keep the file with the sources. To depend on a',
    'published core instead (before publishing this package, say):',
    '',
    '```sh',
    `npm install --save-dev @pipe/core@^${o.coreVersion} && rm -r ${tarball.split('/')[0]}`,
    '```',
    '',
    `\`pipe plugins new ${o.kind} NAME --core-range ^${o.coreVersion}\` starts a package that way.`,
    '',
  ].join('\n');
}

function readme(o: TemplateOptions): string {
  const stage = o.kind === 'transform' ? 'transforms:\n  - use' : `${o.kind}:\n  use`;
  return `# pipe-plugin-${o.name}

A pipe ${o.kind} plugin. Build and test:

\`\`\`sh
npm install      # builds dist/ too
npm test
\`\`\`

Use it from a pipeline: \`npm install ../pipe-plugin-${o.name}\` (or its published name) in the
pipeline file's folder, then \`pipe plugins\` lists it and a pipeline file can say

\`\`\`yaml
${stage}: ${o.name}
\`\`\`

pipe runs it with pipe's own core.

## @pipe/core

${coreSection(o)}
See pipe's docs/plugins.md for the contract.
`;
}

export function pluginPackageFiles(o: TemplateOptions): Record<string, string> {
  const code = { source: SOURCE, transform: TRANSFORM, sink: SINK }[o.kind](o);
  const pkg = {
    name: `pipe-plugin-${o.name}`,
    version: '0.1.0',
    description: `pipe ${o.kind} plugin "${o.name}"`,
    license: 'MIT',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    files: ['dist'],
    keywords: ['pipe-plugin'],
    pipe: { plugins: './dist/index.js' },
    // prepare: `npm install` builds dist/, which `pipe.plugins` names, so the folder is usable at once.
    scripts: { build: 'tsc', prepare: 'tsc', test: 'jest', prepublishOnly: 'tsc && jest' },
    // The running pipe provides @pipe/core to the plugins it loads; optional, so installing the
    // plugin never fetches a core of its own.
    peerDependencies: { '@pipe/core': `^${o.coreVersion}` },
    peerDependenciesMeta: { '@pipe/core': { optional: true } },
    devDependencies: {
      '@pipe/core': o.coreSpec,
      '@types/jest': '^29.5.0',
      '@types/node': '^20.0.0',
      jest: '^29.7.0',
      'ts-jest': '^29.4.0',
      typescript: '^5.0.0',
    },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, declaration: true, outDir: 'dist', rootDir: 'src', esModuleInterop: true, skipLibCheck: true }, include: ['src'] }, null, 2)}\n`,
    'jest.config.js': "module.exports = { testEnvironment: 'node', transform: { '^.+\\\\.ts$': 'ts-jest' }, testMatch: ['**/test/**/*.test.ts'] };\n",
    'src/index.ts': `${code}\nexport const pipePackage = { plugins: [${camel(o.name)}] };\n`,
    'test/index.test.ts': TESTS[o.kind](o),
    'README.md': readme(o),
    '.gitignore': 'node_modules/\ndist/\n',
  };
}
