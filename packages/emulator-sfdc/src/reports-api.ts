/**
 * Reports and Dashboards REST API for tabular reports (sfdc.md (a) Options 2 and 3): describe,
 * synchronous run with the 2,000-row detail cap and the record count in factMap["T!T"].aggregates,
 * and asynchronous instances with a New -> Running -> Success status machine.
 */
import { INSUFFICIENT_ACCESS, NOT_FOUND, type RestErrorItem } from './errors';
import { readBody, sendJson, sendRestError, type Exchange } from './http-io';
import { makeId, toId18 } from './ids';
import { formatGroupedNumber, generateRow, reportColumns, usDate, usDateTime, type CellValue, type ColumnType, type ReportSpec } from './report-generator';
import type { Session } from './sessions';
import { canRunReport, findReport, type EmulatorState } from './state';

/** "The API returns up to the first 2,000 report rows" (A-LIM). */
export const REPORT_API_ROW_LIMIT = 2000;

export type ReportInstanceStatus = 'New' | 'Running' | 'Success' | 'Error';

export interface ReportInstance {
  readonly id: string;
  readonly reportId: string;
  readonly ownerId: string;
  readonly includeDetails: boolean;
  readonly requestDate: string;
  polls: number;
  status: ReportInstanceStatus;
  completionDate: string | null;
}

/** Instances per emulator, with a counter so ids stay unique after deletes. */
const instanceStores = new WeakMap<EmulatorState, { readonly byId: Map<string, ReportInstance>; created: number }>();

function instanceStore(state: EmulatorState): { readonly byId: Map<string, ReportInstance>; created: number } {
  let store = instanceStores.get(state);
  if (store === undefined) instanceStores.set(state, (store = { byId: new Map(), created: 0 }));
  return store;
}

/** Salesforce's JSON datetime form, e.g. "2024-03-05T13:07:00Z" in the Reports API. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function developerName(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'Report';
}

function reportMetadata(report: ReportSpec): Record<string, unknown> {
  const columns = reportColumns(report);
  const dateColumn = columns.find((c) => c.type === 'date')?.name ?? null;
  return {
    aggregates: ['RowCount'],
    chart: null,
    crossFilters: [],
    currency: null,
    description: null,
    detailColumns: columns.map((c) => c.name),
    developerName: developerName(report.name),
    division: null,
    folderId: makeId('00l', 1),
    groupingsAcross: [],
    groupingsDown: [],
    hasDetailRows: true,
    hasRecordCount: true,
    historicalSnapshotDates: [],
    id: toId18(report.id),
    name: report.name,
    reportBooleanFilter: null,
    reportFilters: [],
    reportFormat: 'TABULAR',
    reportType: { label: 'Opportunities', type: 'Opportunity' },
    scope: 'organization',
    showGrandTotal: true,
    showSubtotals: true,
    sortBy: [],
    standardDateFilter: { column: dateColumn, durationValue: 'CUSTOM', endDate: null, startDate: null },
    standardFilters: [],
    topRows: null,
  };
}

function reportExtendedMetadata(report: ReportSpec): Record<string, unknown> {
  return {
    aggregateColumnInfo: {
      RowCount: { acrossGroupingContext: null, dataType: 'int', downGroupingContext: null, label: 'Record Count' },
    },
    detailColumnInfo: Object.fromEntries(
      reportColumns(report).map((c) => [c.name, { dataType: c.type, entityColumnName: c.name, isLookup: false, label: c.label }]),
    ),
    groupingColumnInfo: {},
  };
}

function reportTypeMetadata(report: ReportSpec): Record<string, unknown> {
  return {
    categories: [
      {
        label: 'Report Fields',
        columns: Object.fromEntries(
          reportColumns(report).map((c) => [
            c.name,
            { dataType: c.type, filterValues: [], filterable: true, isLookup: false, label: c.label, uniqueCountable: false },
          ]),
        ),
      },
    ],
    dataTypeFilterOperatorMap: {},
    divisionInfo: null,
    scopeInfo: { defaultValue: 'organization', values: [{ allowsDivision: false, label: 'All opportunities', value: 'organization' }] },
    standardDateFilterDurationGroups: [],
    standardFilterInfos: {},
  };
}

/** A Reports API data cell: display label plus raw value; "-" labels an empty cell. */
export function dataCell(value: CellValue, type: ColumnType): { label: string; value: unknown } {
  if (value === null) return { label: '-', value: null };
  switch (type) {
    case 'currency':
      return { label: `$${formatGroupedNumber(value as number, 2)}`, value: { amount: value, currency: null } };
    case 'percent':
      return { label: `${value as number}%`, value };
    case 'int':
      return { label: formatGroupedNumber(value as number, 0), value };
    case 'double':
      return { label: formatGroupedNumber(value as number, 3), value };
    case 'date':
      return { label: usDate(value as string), value };
    case 'datetime':
      return { label: usDateTime(value as string), value };
    default:
      return { label: String(value), value };
  }
}

/** A report's REST path in the API version the client called, as Salesforce answers. */
function reportPath(version: string, reportId: string): string {
  return `/services/data/v${version}/analytics/reports/${toId18(reportId)}`;
}

function reportAttributes(version: string, report: ReportSpec): Record<string, unknown> {
  const base = reportPath(version, report.id);
  return { describeUrl: `${base}/describe`, instancesUrl: `${base}/instances`, reportId: toId18(report.id), reportName: report.name, type: 'Report' };
}

/** The body of a run: record count always, at most 2,000 detail rows when asked for, allData=false when capped. */
function reportResult(report: ReportSpec, includeDetails: boolean): Record<string, unknown> {
  const columns = reportColumns(report);
  const seed = report.seed ?? 1;
  const fact: Record<string, unknown> = {
    aggregates: [{ label: formatGroupedNumber(report.rows, 0), value: report.rows }],
  };
  if (includeDetails) {
    const shown = Math.min(report.rows, REPORT_API_ROW_LIMIT);
    const rows = new Array<unknown>(shown);
    for (let r = 0; r < shown; r++) {
      const values = generateRow(seed, r, columns);
      rows[r] = { dataCells: values.map((v, c) => dataCell(v, columns[c].type)) };
    }
    fact.rows = rows;
  }
  return {
    allData: !includeDetails || report.rows <= REPORT_API_ROW_LIMIT,
    factMap: { 'T!T': fact },
    groupingsAcross: { groupings: [] },
    groupingsDown: { groupings: [] },
    hasDetailRows: includeDetails,
    reportExtendedMetadata: reportExtendedMetadata(report),
    reportMetadata: reportMetadata(report),
  };
}

function accessibleReport(state: EmulatorState, ex: Exchange, session: Session, reportId: string): ReportSpec | undefined {
  const report = findReport(state, reportId);
  let error: [number, RestErrorItem] | undefined;
  if (report === undefined) error = [404, NOT_FOUND];
  else if (!canRunReport(report, session.username)) error = [403, INSUFFICIENT_ACCESS];
  if (error !== undefined) {
    sendRestError(ex, error[0], error[1]);
    return undefined;
  }
  return report;
}

/** Reads the optional JSON body of a POST run; answers 415/400 itself and returns false on a bad one. */
async function acceptRunBody(ex: Exchange): Promise<boolean> {
  const body = await readBody(ex.req);
  if (body.length === 0) return true;
  if (!/^application\/json\b/i.test(ex.req.headers['content-type'] ?? '')) {
    sendRestError(ex, 415, { errorCode: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' });
    return false;
  }
  try {
    JSON.parse(body.toString('utf8'));
  } catch {
    sendRestError(ex, 400, { errorCode: 'JSON_PARSER_ERROR', message: 'The request body is not valid JSON' });
    return false;
  }
  // Filters in reportMetadata are accepted but not applied: the rows are synthetic.
  return true;
}

function instanceSummary(version: string, instance: ReportInstance): Record<string, unknown> {
  return {
    id: instance.id,
    requestDate: instance.requestDate,
    status: instance.status,
    url: `${reportPath(version, instance.reportId)}/instances/${instance.id}`,
    ownerId: instance.ownerId,
    queryable: instance.status === 'Success',
    hasDetailRows: instance.includeDetails,
    completionDate: instance.completionDate,
  };
}

/** Routes /services/data/v{version}/analytics/reports{rest}. */
export async function handleReportsApi(state: EmulatorState, ex: Exchange, session: Session, version: string, rest: string): Promise<void> {
  const method = ex.req.method ?? 'GET';
  const q = ex.url.searchParams;
  if (rest === '' || rest === '/') {
    if (method !== 'GET') return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET` });
    const visible = [...state.reports.values()].filter((r) => canRunReport(r, session.username));
    return sendJson(
      ex,
      200,
      visible.map((r) => ({ name: r.name, id: toId18(r.id), url: reportPath(version, r.id), ...reportAttributes(version, r) })),
    );
  }
  const match = /^\/([A-Za-z0-9]{15}|[A-Za-z0-9]{18})(\/describe|\/instances(?:\/([A-Za-z0-9]{15,18}))?)?\/?$/.exec(rest);
  if (match === null) return sendRestError(ex, 404, NOT_FOUND);
  const [, reportId, sub, instanceId] = match as unknown as [string, string, string | undefined, string | undefined];
  const report = accessibleReport(state, ex, session, reportId);
  if (report === undefined) return;
  const user = state.users.get(session.username.toLowerCase());
  const store = instanceStore(state);
  const instances = store.byId;

  if (sub === '/describe') {
    if (method !== 'GET') return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET` });
    return sendJson(ex, 200, {
      reportExtendedMetadata: reportExtendedMetadata(report),
      reportMetadata: reportMetadata(report),
      reportTypeMetadata: reportTypeMetadata(report),
    });
  }
  if (sub === undefined) {
    if (method === 'POST' && !(await acceptRunBody(ex))) return;
    if (method !== 'GET' && method !== 'POST')
      return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET,POST` });
    return sendJson(ex, 200, { attributes: reportAttributes(version, report), ...reportResult(report, q.get('includeDetails') === 'true') });
  }
  if (instanceId === undefined) {
    if (method === 'GET') {
      const list = [...instances.values()].filter((i) => i.reportId === toId18(report.id)).map((i) => instanceSummary(version, i));
      return sendJson(ex, 200, list);
    }
    if (method !== 'POST')
      return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET,POST` });
    if (!(await acceptRunBody(ex))) return;
    const instance: ReportInstance = {
      id: makeId('0LG', ++store.created),
      reportId: toId18(report.id),
      ownerId: user?.userId ?? '',
      includeDetails: q.get('includeDetails') === 'true',
      requestDate: isoSeconds(state.now()),
      polls: 0,
      status: 'New',
      completionDate: null,
    };
    instances.set(instance.id, instance);
    return sendJson(ex, 200, instanceSummary(version, instance));
  }
  const instance = instances.get(toId18(instanceId));
  if (instance === undefined || instance.reportId !== toId18(report.id)) return sendRestError(ex, 404, NOT_FOUND);
  if (method === 'DELETE') {
    instances.delete(instance.id);
    ex.record.status = 204;
    ex.res.writeHead(204).end();
    return;
  }
  if (method !== 'GET')
    return sendRestError(ex, 405, { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET,DELETE` });
  if (instance.status !== 'Success') {
    instance.polls += 1;
    instance.status = instance.polls >= state.reportInstancePollsUntilComplete ? 'Success' : 'Running';
    if (instance.status === 'Success') instance.completionDate = isoSeconds(state.now());
  }
  const attributes = { ...instanceSummary(version, instance), reportId: instance.reportId, reportName: report.name, type: 'ReportInstance' };
  if (instance.status !== 'Success') return sendJson(ex, 200, { attributes, reportMetadata: reportMetadata(report) });
  sendJson(ex, 200, { attributes, ...reportResult(report, instance.includeDetails) });
}
