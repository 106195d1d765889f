/**
 * The report's record count, to check the export against, from an official run without details
 * (`includeDetails=false`, cheap: no rows). The grand total lives in factMap["T!T"].aggregates,
 * at the position of "RowCount" in reportMetadata.aggregates.
 */
import { SfdcError } from './errors';
import type { SalesforceClient } from './salesforce-client';

interface RunBody {
  reportMetadata?: { aggregates?: string[] };
  factMap?: Record<string, { aggregates?: { value?: unknown }[] } | undefined>;
}

export async function countReportRows(client: SalesforceClient, reportId: string, signal: AbortSignal): Promise<number> {
  const body = await client.restJson<RunBody>('GET', `/analytics/reports/${reportId}?includeDetails=false`, signal);
  const aggregates = body?.reportMetadata?.aggregates ?? [];
  const index = aggregates.indexOf('RowCount');
  const value = index < 0 ? undefined : body?.factMap?.['T!T']?.aggregates?.[index]?.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SfdcError(
      'SFDC_API_ERROR',
      `the run of report ${reportId} has no record count (factMap["T!T"] RowCount), so its rows cannot be verified: add "Record Count" to the report's summary fields`,
    );
  }
  return value;
}
