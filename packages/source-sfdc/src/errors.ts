/** Errors of the Salesforce source: each has a code and a message that says what to do. */
import { ExitCode, PipeError } from '@pipe/core';

export type SfdcErrorCode =
  | 'SFDC_CONFIG'
  | 'SFDC_LOGIN_FAILED'
  | 'SFDC_SESSION_EXPIRED'
  | 'SFDC_SESSION_NOT_FOR_API'
  | 'SFDC_REPORT_NOT_FOUND'
  | 'SFDC_REPORT_NO_ACCESS'
  | 'SFDC_NOT_CSV'
  | 'SFDC_EXPORT_TRUNCATED'
  | 'SFDC_ROW_COUNT_MISMATCH'
  | 'SFDC_BULK_JOB_FAILED'
  | 'SFDC_API_ERROR';

export class SfdcError extends PipeError {
  declare readonly code: SfdcErrorCode;

  constructor(code: SfdcErrorCode, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { code, cause: options.cause, exitCode: options.exitCode ?? (code === 'SFDC_CONFIG' ? ExitCode.Usage : ExitCode.Failed) });
  }
}

/** One item of a REST error body: Salesforce answers a JSON array of these. */
export interface SalesforceRestError {
  readonly errorCode: string;
  readonly message: string;
}

/** The items of a REST error body, or [] when the body is not that shape (HTML, empty). */
export function parseRestErrors(body: string): SalesforceRestError[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const items = Array.isArray(parsed) ? parsed : [parsed];
    return items.filter((i): i is SalesforceRestError => typeof i === 'object' && i !== null && typeof (i as SalesforceRestError).errorCode === 'string');
  } catch {
    return [];
  }
}

/** "INVALID_SESSION_ID: Session expired or invalid", or the body itself. */
export function describeRestErrors(body: string): string {
  const items = parseRestErrors(body);
  return items.length ? items.map((i) => `${i.errorCode}: ${i.message}`).join('; ') : body.slice(0, 300);
}
