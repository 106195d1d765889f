/**
 * Every ```yaml example of docs/pipelines.md is a whole pipeline file that loads, or (```yaml invalid)
 * one that fails with the problems the ```text block after it shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { pipePackage as anaplanPackage } from '@pipe/sink-anaplan';
import { pipePackage as sfdcPackage } from '@pipe/source-sfdc';
import { parse as parseYaml } from 'yaml';
import { type PluginKind } from '../../src';
import {
  builtinPlugins,
  ConfigError,
  formatIssue,
  loadPipelineFile,
  PluginCatalog,
  pipelineFileEditorSchema,
  resolvePipelineFile,
  type CatalogEntry,
} from '../../src/engine';
import { project } from '../helpers';

const DOC = join(__dirname, '../../../../docs/pipelines.md');
const shipped = [...sfdcPackage.plugins, ...anaplanPackage.plugins];

/** The CLI's catalog: the built-ins plus the plugin packages pipe ships with. */
class ShippedPlugins extends PluginCatalog {
  override async resolve(use: string, kind: PluginKind, fromDir?: string): Promise<CatalogEntry> {
    const plugin = shipped.find((p) => p.name === use && p.kind === kind);
    return plugin ? { plugin, origin: 'shipped' } : super.resolve(use, kind, fromDir);
  }
}

/** The variables the examples read without a default, as a user would set them. */
const ENV = { SF_CLIENT_ID: '3MVG9example', SF_USERNAME: 'ops@acme.com', ANAPLAN_USER: 'ops@acme.com', ANAPLAN_PASSWORD: 'correct-horse' };

/** The folder the page's outputs were made in; a problem line shows as `FILE:line:column: ...`. */
const DOC_DIR = '/tmp/pd';

interface Example {
  readonly line: number;
  readonly invalid: boolean;
  readonly text: string;
  /** For a mistake: the problems the page shows for it. */
  readonly problems: string[];
}

function examples(): Example[] {
  const doc = readFileSync(DOC, 'utf8');
  return [...doc.matchAll(/^```yaml([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => {
    const output = /^```text\n([\s\S]*?)^```/m.exec(doc.slice(m.index + m[0].length))?.[1] ?? '';
    return {
      line: doc.slice(0, m.index).split('\n').length,
      invalid: m[1].trim() === 'invalid',
      text: m[2],
      problems: output
        .split('\n')
        .filter((l) => /^\/\S+:\d+:\d+: /.test(l))
        .map((l) => l.replace(/^\S+?:(?=\d+:\d+: )/, 'FILE:')),
    };
  });
}

async function load(text: string, dir = project({ 'pipe.yml': text })) {
  const loaded = await loadPipelineFile({ file: join(dir, 'pipe.yml'), cwd: dir });
  return resolvePipelineFile(loaded, new ShippedPlugins({ cwd: dir }), ENV);
}

describe('the examples of docs/pipelines.md', () => {
  const all = examples();
  const validate = new Ajv({ strict: true }).compile(pipelineFileEditorSchema([...builtinPlugins, ...shipped]));

  it('are there to check', () => {
    expect(all.filter((e) => !e.invalid).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((e) => e.invalid).length).toBeGreaterThanOrEqual(3);
  });

  it.each(all.filter((e) => !e.invalid).map((e) => [e.line, e]))('the one at line %i loads, and passes the editor schema', async (_line, example) => {
    await expect(load(example.text)).resolves.toBeDefined();
    expect([validate(parseYaml(example.text)), validate.errors]).toEqual([true, null]);
  });

  it.each(all.filter((e) => e.invalid).map((e) => [e.line, e]))('the mistake at line %i gets the problems the page shows', async (_line, example) => {
    const dir = project({ 'pipe.yml': example.text });
    const error = await load(example.text, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).issues.map((i) =>
      formatIssue(i)
        .replace(/^\S+?:(?=\d+:\d+: )/, 'FILE:')
        .replaceAll(dir, DOC_DIR),
    );
    expect(example.problems.length).toBeGreaterThan(0);
    expect(problems).toEqual(example.problems);
  });
});
