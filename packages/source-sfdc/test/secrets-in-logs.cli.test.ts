/**
 * Through the real `pipe` binary: no access token or refresh token a Salesforce login obtains
 * reaches the log file or the console, even when Salesforce's error text quotes the request's
 * credentials back (the emulator's server-error fault with echoCredentials). The log is searched
 * for the very values the emulator issued.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_CREDENTIALS_APP, DEFAULT_REPORT_IDS, startSfdcEmulator, type FaultSpec, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { pipe, workspace } from '../../cli/test/run-pipe';

let sfdc: SfdcEmulator;
beforeAll(async () => {
  sfdc = await startSfdcEmulator();
});
afterAll(async () => {
  await sfdc.stop();
});
afterEach(() => sfdc.faults.clear());

function pipelineFile(auth: string): string {
  return `version: 1
pipelines:
  report:
    source:
      use: sfdc-report
      with:
        instanceUrl: "\${SF_URL}"
        loginUrl: "\${SF_URL}"
        auth: ${auth}
        reportId: ${DEFAULT_REPORT_IDS.accountsByRegion}
        retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 }
    sink: { use: file, with: { path: ./out/report.csv } }
`;
}

const JWT = '{ type: jwt, clientId: demo-connected-app, username: ops@acme.com, privateKeyFile: ./sf.key }';
const CLIENT_CREDENTIALS = `{ type: client-credentials, clientId: ${CLIENT_CREDENTIALS_APP.clientId}, clientSecret: "\${SF_CLIENT_SECRET}" }`;

/** Runs the pipeline with `fault` armed; returns everything the run wrote and the credentials issued meanwhile. */
async function runWithEcho(auth: string, fault: FaultSpec) {
  const dir = workspace({ 'pipe.yml': pipelineFile(auth), 'sf.key': sfdc.jwtPrivateKeyPem });
  const issuedBefore = sfdc.issuedCredentials.length;
  sfdc.faults.inject(fault);
  const result = await pipe(['run', 'pipe.yml'], { cwd: dir, env: { SF_URL: sfdc.url, SF_CLIENT_SECRET: CLIENT_CREDENTIALS_APP.clientSecret ?? '' } });
  const logDir = join(dir, '.pipe', 'logs');
  const log = existsSync(logDir)
    ? readdirSync(logDir)
        .map((name) => readFileSync(join(logDir, name), 'utf8'))
        .join('')
    : '';
  return { result, log, issued: sfdc.issuedCredentials.slice(issuedBefore) };
}

function leaksOf(issued: readonly string[], texts: readonly string[]): string[] {
  return issued.filter((secret) => texts.some((text) => text.includes(secret))).map((secret) => `${secret.slice(0, 8)}…`);
}

test.each([
  ['jwt, an error on a REST call quoting the bearer token', JWT, { kind: 'server-error', echoCredentials: true, match: { surface: 'rest' } }],
  ['jwt, an error on the export quoting the sid cookie', JWT, { kind: 'server-error', echoCredentials: true, match: { surface: 'export' } }],
  [
    'client-credentials, an error on a REST call quoting the bearer token',
    CLIENT_CREDENTIALS,
    { kind: 'server-error', echoCredentials: true, match: { surface: 'rest' } },
  ],
] as const)('%s: the run fails and neither the log file nor the console holds any issued token', async (_name, auth, fault) => {
  const { result, log, issued } = await runWithEcho(auth, fault);
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 1 });
  expect(issued.length).toBeGreaterThanOrEqual(1);
  // The echoed credentials reached the log, scrubbed: the search below is not vacuous.
  expect(log).toMatch(/(Authorization: Bearer |Cookie: sid=)\[redacted\]/);
  expect(leaksOf(issued, [log, result.stdout, result.stderr])).toEqual([]);
});
