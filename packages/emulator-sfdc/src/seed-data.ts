/**
 * The default org: Acme Corporation with one user, a JWT connected app, a client-credentials app,
 * a handful of reports of different sizes and access, and an Opportunity dataset for Bulk queries.
 */
import { makeId, toId18 } from './ids';
import type { BulkDatasetSpec, BulkField, EmulatedConnectedApp, EmulatedUser } from './options';
import { OPPORTUNITY_STAGES, type ReportSpec } from './report-generator';

export const DEFAULT_ORG_ID = toId18('00D5e000000Acme');
export const DEFAULT_ORG_NAME = 'Acme Corporation';
export const DEFAULT_API_VERSION = '62.0';
export const DEFAULT_USERNAME = 'ops@acme.com';

export const DEFAULT_USER: EmulatedUser = {
  username: DEFAULT_USERNAME,
  password: 'Acme-Passw0rd!',
  securityToken: 'AcmeSecurityToken42',
  displayName: 'Ops User',
  email: 'ops@acme.com',
  userId: makeId('005', 4242),
};

/** JWT app: the emulator generates its key pair at startup unless one is supplied. */
export const JWT_APP_CLIENT_ID = 'demo-connected-app';
export const JWT_APP_CLIENT_SECRET = 'demo-connected-app-secret';
/** The loopback callback the sf CLI registers; any loopback port matches it. */
export const DEFAULT_CALLBACK_URL = 'http://localhost:1717/OauthRedirect';

export const CLIENT_CREDENTIALS_APP: EmulatedConnectedApp = {
  clientId: 'demo-client-credentials-app',
  clientSecret: 'demo-client-credentials-secret',
  runAsUsername: DEFAULT_USERNAME,
  scopes: ['api'],
};

export function jwtApp(certificatePem: string): EmulatedConnectedApp {
  return {
    clientId: JWT_APP_CLIENT_ID,
    clientSecret: JWT_APP_CLIENT_SECRET,
    jwtCertificatePem: certificatePem,
    callbackUrls: [DEFAULT_CALLBACK_URL],
    scopes: ['api', 'web', 'refresh_token'],
    // A CLI is a public client: PKCE instead of a secret, like the sf CLI's own app.
    requireSecretForWebServerFlow: false,
    requireSecretForRefreshTokenFlow: false,
  };
}

/** Ids of the seeded reports, for tests and demos. */
export const DEFAULT_REPORT_IDS = {
  /** "Open Pipeline", 5,000 rows: over the Reports API's 2,000-row cap. */
  openPipeline: '00O5e000008abcdEAA',
  /** "Closed Won This Quarter", 1,200 rows: under the cap. */
  closedWon: toId18('00O5e000008abce'),
  /** "Accounts by Region", 25 rows. */
  accountsByRegion: toId18('00O5e000008abcf'),
  /** "Empty Report", 0 rows: header and footer only. */
  empty: toId18('00O5e000008abcg'),
  /** "Pipeline History", 400,000 rows (about 100 MB of CSV). */
  pipelineHistory: toId18('00O5e000008abch'),
  /** "Executive Forecast": nobody may run it (403 INSUFFICIENT_ACCESS). */
  restrictedForecast: toId18('00O5e000008abci'),
} as const;

export const DEFAULT_REPORTS: readonly ReportSpec[] = [
  { id: DEFAULT_REPORT_IDS.openPipeline, name: 'Open Pipeline', rows: 5000, seed: 1 },
  { id: DEFAULT_REPORT_IDS.closedWon, name: 'Closed Won This Quarter', rows: 1200, seed: 2 },
  {
    id: DEFAULT_REPORT_IDS.accountsByRegion,
    name: 'Accounts by Region',
    rows: 25,
    seed: 3,
    columns: [
      { name: 'ACCOUNT_ID', label: 'Account ID', type: 'id', keyPrefix: '001' },
      { name: 'ACCOUNT.NAME', label: 'Account Name', type: 'string', emptyRatio: 0 },
      { name: 'ACCOUNT.BILLING_COUNTRY', label: 'Billing Country', type: 'picklist', values: ['Schweiz', '日本', 'Brasil', 'United States', 'Ελλάδα'] },
      { name: 'ACCOUNT.ANNUAL_REVENUE', label: 'Annual Revenue', type: 'currency' },
      { name: 'ACCOUNT.NUMBER_OF_EMPLOYEES', label: 'Employees', type: 'int' },
      { name: 'ACCOUNT.IS_CUSTOMER', label: 'Customer', type: 'boolean' },
    ],
  },
  { id: DEFAULT_REPORT_IDS.empty, name: 'Empty Report', rows: 0, seed: 4 },
  { id: DEFAULT_REPORT_IDS.pipelineHistory, name: 'Pipeline History', rows: 400_000, seed: 5 },
  { id: DEFAULT_REPORT_IDS.restrictedForecast, name: 'Executive Forecast', rows: 300, seed: 6, runnableBy: [] },
];

export const OPPORTUNITY_FIELDS: readonly BulkField[] = [
  { name: 'Id', type: 'id', keyPrefix: '006' },
  { name: 'Name', type: 'string', emptyRatio: 0 },
  { name: 'StageName', type: 'picklist', values: OPPORTUNITY_STAGES, emptyRatio: 0 },
  { name: 'Amount', type: 'currency' },
  { name: 'Probability', type: 'percent' },
  { name: 'CloseDate', type: 'date', emptyRatio: 0 },
  { name: 'IsWon', type: 'boolean' },
  { name: 'Description', type: 'textarea' },
  { name: 'CreatedDate', type: 'datetime', emptyRatio: 0 },
];

export const DEFAULT_DATASETS: readonly BulkDatasetSpec[] = [{ object: 'Opportunity', rows: 25_000, seed: 7, fields: OPPORTUNITY_FIELDS }];
