import { redactSecretFields, secretValues, validatePluginConfig, type SinkPlugin } from '@pipe/core';
import { anaplanSink } from '../src';

/** The `with:` block of the issue, as YAML hands it over (`file: 113000000000` is a number). */
const issueExample = {
  workspace: '8a868cd9837162ef0183cd4d7ba842c0',
  model: '295D98F37F1B4682BE7A29035CBFB924',
  file: 113000000000,
  import: 112000000000,
  auth: { type: 'basic', username: 'ops@acme.com', password: 's3cret-pass' },
  concurrency: 8,
  compress: 'gzip',
  apiUrl: 'https://api.anaplan.com/2/0',
  authUrl: 'https://auth.anaplan.com',
};

/** Validation as the engine does it; typed loosely so the checker does not expand the whole schema type. */
const validate = (raw: unknown) => validatePluginConfig(anaplanSink as SinkPlugin, raw) as Record<string, unknown>;

describe('anaplan sink config', () => {
  it('accepts the YAML of the issue as written and fills the defaults', () => {
    const config = validate(issueExample);
    expect(config).toMatchObject({
      file: 113000000000,
      concurrency: 8,
      compress: 'gzip',
      chunkSize: 10_000_000,
      localeName: 'en_US',
      pollIntervalMs: 5000,
      tokenTtlSeconds: 2100,
      oauthUrl: 'https://us1a.app.anaplan.com',
      retry: { attempts: 5, initialDelayMs: 500, maxDelayMs: 30000 },
      verbose: false,
    });
  });

  it('accepts every login mode', () => {
    const base = { workspace: 'FP&A', model: 'Sales Forecast', file: 'Opportunities.csv' };
    for (const auth of [
      { type: 'basic', username: 'u' },
      { type: 'certificate', certificate: 'cert.pem', privateKey: 'key.pem', passphrase: 'pp' },
      { type: 'oauth', clientId: 'client' },
      { type: 'oauth' },
    ]) {
      expect(() => validate({ ...base, auth })).not.toThrow();
    }
  });

  it.each([
    [{ concurrency: 201 }, /concurrency/],
    [{ concurrency: 0 }, /concurrency/],
    [{ chunkSize: '60MB' }, /at most 50\.0 MB/],
    [{ chunkSize: '500KB' }, /at least 1\.0 MB/],
    [{ tokenTtlSeconds: 3600 }, /tokenTtlSeconds/],
    [{ compress: 'zstd' }, /compress/],
    [{ auth: { type: 'saml' } }, /auth/],
    [{ workspce: 'typo' }, /additional properties/],
  ])('rejects %j', (change, message) => {
    expect(() => validate({ ...issueExample, ...change })).toThrow(message);
  });

  it('marks passwords, passphrases and refresh tokens secret', () => {
    const withSecrets = { ...issueExample, auth: { type: 'certificate', certificate: 'c', privateKey: 'k', passphrase: 'key-passphrase' } };
    expect(secretValues(anaplanSink.config, withSecrets)).toEqual(['key-passphrase']);
    expect(secretValues(anaplanSink.config, issueExample)).toEqual(['s3cret-pass']);
    const oauth = { ...issueExample, auth: { type: 'oauth', clientId: 'c', refreshToken: 'rt-123456' } };
    expect(JSON.stringify(redactSecretFields(anaplanSink.config, oauth))).not.toContain('rt-123456');
  });
});
