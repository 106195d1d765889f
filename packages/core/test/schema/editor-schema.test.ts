import Ajv from 'ajv';
import { pipePackage as anaplanPackage } from '@pipe/sink-anaplan';
import { pipePackage as sfdcPackage } from '@pipe/source-sfdc';
import { parseByteSize, type Plugin } from '../../src';
import { builtinPlugins, describeSchema, fileSink, fileSource, pipelineFileEditorSchema } from '../../src/engine';
import { BYTE_SIZE_STRING } from '../../src/schema/editor-schema';

const plugins: Plugin[] = [...builtinPlugins, ...sfdcPackage.plugins, ...anaplanPackage.plugins];
// What an editor's validator does: plain draft-07, strict, so any keyword it does not know fails the compile.
const validate = new Ajv({ allErrors: true, strict: true }).compile(pipelineFileEditorSchema(plugins));

const copyFile = (
  extra: Record<string, unknown> = {},
  source: unknown = { use: 'file', with: { path: './in.csv' } },
  sink: unknown = { use: 'file', with: { path: './out.csv' } },
) => ({
  version: 1,
  pipelines: { copy: { source, sink } },
  ...extra,
});

const errorsOf = (file: unknown) => (validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe('the editor schema of a pipeline file', () => {
  it('checks each with: against the plugin its use: names, source and sink apart', () => {
    expect(errorsOf(copyFile())).toEqual([]);
    expect(errorsOf(copyFile({}, { use: 'file', with: { pth: './in.csv' } }))).toEqual(
      expect.arrayContaining([
        "/pipelines/copy/source/with must have required property 'path'",
        '/pipelines/copy/source/with must NOT have additional properties',
      ]),
    );
    // `durable` is a key of the file sink, not of the file source.
    expect(errorsOf(copyFile({}, { use: 'file', with: { path: './in.csv', durable: false } }))).not.toEqual([]);
    expect(errorsOf(copyFile({}, undefined, { use: 'file', with: { path: './out.csv', durable: false } }))).toEqual([]);
    expect(errorsOf(copyFile({}, undefined, { use: 'anaplan', with: { workspace: 'w', model: 'm', file: 'f' } }))).toContain(
      "/pipelines/copy/sink/with must have required property 'auth'",
    );
  });

  it('asks for with: only when the plugin needs something in it', () => {
    expect(errorsOf(copyFile({}, { use: 'file' }))).toContain("/pipelines/copy/source must have required property 'with'");
    const withChunks = copyFile();
    (withChunks.pipelines.copy as Record<string, unknown>).transforms = [{ use: 'chunk-lines' }];
    expect(errorsOf(withChunks)).toEqual([]);
  });

  it('never requires a key that has a default', () => {
    expect(errorsOf(copyFile({}, undefined, { use: 'dir', with: { path: './out' } }))).toEqual([]);
    const anaplan = { use: 'anaplan', with: { workspace: 'w', model: 'm', file: 'f', auth: { type: 'basic', username: 'u' } } };
    expect(errorsOf(copyFile({}, undefined, anaplan))).toEqual([]);
  });

  it('takes any with: for a use: it does not know (a path or a package)', () => {
    expect(errorsOf(copyFile({}, undefined, { use: './plugins/post.ts', with: { url: 'https://example.com', anything: [1, 2] } }))).toEqual([]);
  });

  it('keeps the kinds apart when one kind has no plugin', () => {
    const onlyFiles = new Ajv({ strict: true }).compile(pipelineFileEditorSchema([fileSource, fileSink]));
    const file = copyFile();
    (file.pipelines.copy as Record<string, unknown>).transforms = [{ use: 'file', with: { anything: 1 } }];
    expect([onlyFiles(file), onlyFiles.errors]).toEqual([true, null]);
  });

  it('accepts a ${VAR} where a number or a boolean goes, and still checks written numbers', () => {
    expect(errorsOf(copyFile({ concurrency: '${PIPE_CONCURRENCY:-4}' }))).toEqual([]);
    expect(errorsOf(copyFile({}, undefined, { use: 'file', with: { path: './out.csv', durable: '${DURABLE}' } }))).toEqual([]);
    expect(errorsOf(copyFile({ concurrency: 'eight' }))).toContain('/concurrency must match a schema in anyOf');
    expect(errorsOf(copyFile({ concurrency: 50 }))).toContain('/concurrency must be <= 32');
    expect(errorsOf(copyFile({ concurrency: '${not a name}' }))).not.toEqual([]);
  });

  it('takes a size as a size string, a number of bytes in range, or a ${VAR}', () => {
    const chunked = (chunkSize: unknown) => {
      const file = copyFile();
      (file.pipelines.copy as Record<string, unknown>).transforms = [{ use: 'chunk-lines', with: { chunkSize } }];
      return errorsOf(file);
    };
    for (const ok of ['10MB', '512KiB', '1.5 mb', 2_000_000, '${CHUNK_SIZE:-10MB}']) expect(chunked(ok)).toEqual([]);
    for (const bad of ['10 parsecs', 'MB', 100, 80_000_000, true]) expect(chunked(bad)).not.toEqual([]);
  });

  it('reads size strings as pipe does', () => {
    const pattern = new RegExp(BYTE_SIZE_STRING, 'u');
    for (const text of ['10MB', '10mb', ' 1.5 GiB ', '512KiB', '100', '7B', '10 MB', '1K', '1KI', 'MB', '1e6', '-1MB', '10 parsecs', '1.MB']) {
      expect([text, pattern.test(text)]).toEqual([text, parseByteSize(text) !== undefined]);
    }
  });

  it('shows secrets as writeOnly and keeps descriptions and defaults for hover', () => {
    const schema = pipelineFileEditorSchema(plugins);
    const text = JSON.stringify(schema);
    expect(text).not.toContain('"secret"');
    expect(text).not.toContain('"byteSize"');
    expect(text).toContain('"writeOnly":true');
    const properties = (schema.properties as Record<string, Record<string, unknown>>).concurrency;
    expect(properties).toMatchObject({ default: 2, description: 'Independent pipelines run at once.' });
  });
});

describe('plugin settings as pipe plugins describe lists them', () => {
  const settings = (name: string) => describeSchema(plugins.find((p) => p.name === name && p.kind === 'sink')!.config);
  const required = (name: string) =>
    settings(name)
      .filter((s) => s.required)
      .map((s) => s.key);

  it('lists as required only the keys a file must write', () => {
    expect(required('anaplan')).toEqual([
      'workspace',
      'model',
      'file',
      'auth',
      'auth{type=basic}.type',
      'auth{type=basic}.username',
      'auth{type=certificate}.type',
      'auth{type=certificate}.certificate',
      'auth{type=certificate}.privateKey',
      'auth{type=oauth}.type',
    ]);
    expect(required('dir')).toEqual(['path']);
  });
});
