/**
 * A local Salesforce for tests and demos: OAuth login host, Reports REST API, the UI report export
 * servlet and Bulk API 2.0 query on one HTTP port, with faults on demand. See server.ts.
 */
export { startSfdcEmulator } from './server';
export type { SfdcEmulator, SfdcFaults } from './server';
export type { SfdcEmulatorOptions, EmulatedUser, EmulatedConnectedApp, BulkDatasetSpec, BulkField } from './options';
export type { FaultSpec, FaultKind, FaultMatch, FaultSurface, ActiveFault } from './faults';
export type { RecordedRequest, Surface } from './request-log';
export type { SessionKind } from './sessions';
export type { GrantFlow } from './state';
export type { ReportSpec, ReportColumn, ColumnType, FooterStyle, FooterContext, ReportBodyOptions, CellValue } from './report-generator';
export { reportBodyChunks, reportBodyBuffer, reportFooter, reportFooterLines, reportHeaderLine, OPPORTUNITY_REPORT_COLUMNS } from './report-generator';
export { REPORT_API_ROW_LIMIT } from './reports-api';
export { EXPORT_CONTENT_TYPE } from './report-export';
export { signJwtAssertion, type JwtAssertionClaims } from './jwt';
export { toId15, toId18 } from './ids';
export {
  DEFAULT_REPORT_IDS,
  DEFAULT_REPORTS,
  DEFAULT_USERNAME,
  DEFAULT_USER,
  DEFAULT_ORG_ID,
  DEFAULT_ORG_NAME,
  DEFAULT_API_VERSION,
  JWT_APP_CLIENT_ID,
  JWT_APP_CLIENT_SECRET,
  CLIENT_CREDENTIALS_APP,
  DEFAULT_CALLBACK_URL,
} from './seed-data';
