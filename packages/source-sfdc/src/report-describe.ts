/**
 * Before any export: `analytics/reports/{id}/describe` proves the id names a report the user may
 * run, and gives its name and columns. A wrong id or a missing permission fails here, clearly,
 * instead of as an HTML page where CSV was expected.
 */
import { HttpStatusError } from '@pipe/core';
import { SfdcError } from './errors';
import { restErrorText, type SalesforceClient } from './salesforce-client';

export interface ReportDescription {
  readonly id: string;
  readonly name: string;
  /** TABULAR, SUMMARY, MATRIX or MULTI_BLOCK. */
  readonly format: string;
  readonly detailColumns: readonly string[];
}

interface DescribeBody {
  reportMetadata?: { id?: string; name?: string; reportFormat?: string; detailColumns?: string[] };
}

export async function describeReport(client: SalesforceClient, reportId: string, signal: AbortSignal): Promise<ReportDescription> {
  let body: DescribeBody;
  try {
    body = await client.restJson<DescribeBody>('GET', `/analytics/reports/${reportId}/describe`, signal);
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new SfdcError(
        'SFDC_REPORT_NOT_FOUND',
        `report ${reportId} does not exist in this org (${restErrorText(error)}): check the id in the report's URL (15 or 18 characters, starting 00O) and that the report was not deleted`,
        { cause: error },
      );
    }
    if (error instanceof HttpStatusError && error.status === 403) {
      throw new SfdcError(
        'SFDC_REPORT_NO_ACCESS',
        `the user may not run report ${reportId} (${restErrorText(error)}): share the report's folder with the user and check the "Run Reports" and "API Enabled" permissions`,
        { cause: error },
      );
    }
    throw error;
  }
  const meta = body?.reportMetadata;
  if (!meta || typeof meta.name !== 'string') throw new SfdcError('SFDC_API_ERROR', `the describe of report ${reportId} has no reportMetadata.name`);
  return { id: reportId, name: meta.name, format: meta.reportFormat ?? 'TABULAR', detailColumns: meta.detailColumns ?? [] };
}
