import { availableParallelism } from 'node:os';
import { secretValues, validatePluginConfig } from '@pipe/core';
import { DEFAULT_CONCURRENCY, sfdcReportSource } from '../src';
import { parseSfdxAuthUrl } from '../src/auth/sfdx-auth-url';

const validate = (config: unknown) => validatePluginConfig(sfdcReportSource, config);

test('the single-report form of the issue validates, with defaults filled', () => {
  const config = validate({
    instanceUrl: 'https://acme.my.salesforce.com',
    auth: { type: 'jwt', clientId: 'abc', username: 'ops@acme.com', privateKeyFile: './sf.key' },
    reportId: '00O5e000008abcdEAA',
  });
  expect(config).toMatchObject({
    mode: 'report',
    loginUrl: 'https://login.salesforce.com',
    concurrency: DEFAULT_CONCURRENCY,
    apiVersion: '62.0',
    retry: { attempts: 5, initialDelayMs: 500, maxDelayMs: 30000 },
  });
  expect(DEFAULT_CONCURRENCY).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
});

test('the many-reports form validates: a CSV path or an inline list, session auth', () => {
  const base = { instanceUrl: 'https://acme.my.salesforce.com', auth: { type: 'session', sessionId: 'SESSION-ID-123' }, concurrency: 4 };
  expect(validate({ ...base, reports: './input/reports.csv' }).reports).toBe('./input/reports.csv');
  expect(validate({ ...base, reports: [{ id: '00O5e000008abcdEAA', name: 'pipeline' }, { id: '00O5e000008abce' }] }).reports).toHaveLength(2);
});

test('every auth type validates; secrets are marked so the engine redacts them', () => {
  const auths = [
    { type: 'client-credentials', clientId: 'id', clientSecret: 'CLIENT-SECRET' },
    { type: 'refresh-token', clientId: 'id', refreshToken: 'REFRESH-TOKEN' },
    { type: 'refresh-token', sfdxAuthUrl: 'force://id:SECRET-X:REFRESH-Y@acme.my.salesforce.com' },
    { type: 'refresh-token' },
    { type: 'password', clientId: 'id', clientSecret: 'CLIENT-SECRET', username: 'u', password: 'PASSWORD-1', securityToken: 'TOKEN-1' },
    { type: 'session', sessionId: 'SESSION-ID' },
    { type: 'jwt', clientId: 'id', username: 'u', privateKey: '-----BEGIN PRIVATE KEY-----', audience: 'https://test.salesforce.com' },
  ];
  for (const auth of auths) {
    const config = validate({ auth, reportId: '00O5e000008abcdEAA' });
    const secrets = secretValues(sfdcReportSource.config, config);
    for (const [key, value] of Object.entries(auth)) {
      if (/secret|token|password|sessionId|privateKey|sfdxAuthUrl/i.test(key)) expect(secrets).toContain(value);
    }
  }
});

test('typos and unknown auth types are rejected', () => {
  expect(() => validate({ auth: { type: 'jwt', clientId: 'id', username: 'u', privateKeyFile: 'k', extra: 1 }, reportId: '00O5e000008abcdEAA' })).toThrow(
    /invalid config/,
  );
  expect(() => validate({ auth: { type: 'oauth-magic' }, reportId: '00O5e000008abcdEAA' })).toThrow(/invalid config/);
  expect(() => validate({ auth: { type: 'session', sessionId: 'x' }, reportId: 'not-a-report' })).toThrow(/invalid config/);
  expect(() => validate({ auth: { type: 'session', sessionId: 'x' }, reportIds: [] })).toThrow(/invalid config/);
});

test('SFDX auth URLs parse like the Salesforce CLI writes them', () => {
  expect(parseSfdxAuthUrl('force://PlatformCLI::5Aep861abc@acme.my.salesforce.com')).toEqual({
    clientId: 'PlatformCLI',
    clientSecret: undefined,
    refreshToken: '5Aep861abc',
    instanceUrl: 'https://acme.my.salesforce.com',
  });
  expect(parseSfdxAuthUrl('force://app:sec:tok@127.0.0.1:8080').instanceUrl).toBe('http://127.0.0.1:8080');
  expect(() => parseSfdxAuthUrl('force://nothing')).toThrow(/force:\/\//);
});
