/**
 * @pipe/source-sfdc: Salesforce reports as streamed CSV and the `pipe auth login sfdc` flow. The
 * local Salesforce that `pipe emulate sfdc` and the tests use is its own package, @pipe/emulator-sfdc.
 */
import type { PipePackage } from '@pipe/core';
import { sfdcLogin } from './auth/web-server-login';
import { sfdcReportSource } from './sfdc-report-source';

export { sfdcReportSource } from './sfdc-report-source';
export {
  sfdcReportConfig,
  type SfdcReportConfig,
  type AuthSettings,
  type ReportRef,
  DEFAULT_CONCURRENCY,
  DEFAULT_API_VERSION,
  DEFAULT_LOGIN_URL,
} from './config';
export { sfdcLogin, webServerLogin, type WebServerLoginOptions } from './auth/web-server-login';
export { SfdcError, type SfdcErrorCode } from './errors';
export { FooterDetector, type ExportEnd, type FooterDetectorOptions } from './footer-detector';
export { mergeConcurrent } from './merge-concurrent';
export { parseSfdxAuthUrl, type SfdxAuthUrl } from './auth/sfdx-auth-url';
export { signJwtBearerAssertion } from './auth/jwt-bearer';
export { readReportListFile } from './report-list';
export { CREDENTIAL_SERVICE, type SavedSfdcLogin } from './auth/refresh-token';

export const pipePackage: PipePackage = {
  plugins: [sfdcReportSource],
  logins: { sfdc: sfdcLogin },
};
