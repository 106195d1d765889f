/**
 * @pipe/source-sfdc: Salesforce reports as streamed CSV, the `pipe auth login sfdc` flow and the
 * Salesforce emulator. The emulator is its own entry point, `@pipe/source-sfdc/dist/emulator`, so
 * that a pipeline run never loads it.
 */
import type { PipePackage } from '@pipe/core';
import { sfdcLogin } from './auth/web-server-login';
import { sfdcEmulatorProvider } from './emulator-provider';
import { sfdcReportSource } from './sfdc-report-source';

export { sfdcReportSource } from './sfdc-report-source';
export { sfdcReportConfig, type SfdcReportConfig, type AuthSettings, type ReportRef, DEFAULT_CONCURRENCY, DEFAULT_API_VERSION, DEFAULT_LOGIN_URL } from './config';
export { sfdcLogin, webServerLogin, type WebServerLoginOptions } from './auth/web-server-login';
export { sfdcEmulatorProvider } from './emulator-provider';
export { SfdcError, type SfdcErrorCode } from './errors';
export { FooterDetector, type ExportEnd, type FooterDetectorOptions } from './footer-detector';
export { CsvRecordCounter } from './csv-record-counter';
export { mergeConcurrent } from './merge-concurrent';
export { parseSfdxAuthUrl, type SfdxAuthUrl } from './auth/sfdx-auth-url';
export { signJwtBearerAssertion } from './auth/jwt-bearer';
export { readReportListFile } from './report-list';
export { CREDENTIAL_SERVICE, type SavedSfdcLogin } from './auth/refresh-token';

export const pipePackage: PipePackage = {
  plugins: [sfdcReportSource],
  logins: { sfdc: sfdcLogin },
  emulators: { sfdc: sfdcEmulatorProvider },
};
