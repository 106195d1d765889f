/**
 * Which reports to fetch: `reportId` (one), or `reports:` as an inline list of { id, name } or a
 * CSV file with a header row. The file's id column may be called id, report_id or reportId; its
 * name column name, report_name or report_file_name (the Python tool's reports.csv works as is).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { ReportRef, SfdcReportConfig } from './config';
import { SfdcError } from './errors';

const REPORT_ID = /^00O[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;
const ID_COLUMNS = ['id', 'report_id', 'reportid', 'report id'];
const NAME_COLUMNS = ['name', 'report_name', 'report_file_name', 'reportname', 'report name', 'file_name'];

export interface ReportSelection {
  /** One report named by `reportId`: a failure fails the pipeline. */
  readonly single: boolean;
  readonly reports: readonly ReportRef[];
}

export async function selectReports(config: Pick<SfdcReportConfig, 'reportId' | 'reports'>, resolvePath: (p: string) => string): Promise<ReportSelection> {
  if (config.reportId !== undefined && config.reports !== undefined) {
    throw new SfdcError('SFDC_CONFIG', 'give either reportId (one report) or reports (a list or a CSV file), not both');
  }
  if (config.reportId !== undefined) return { single: true, reports: [{ id: config.reportId }] };
  if (config.reports === undefined) throw new SfdcError('SFDC_CONFIG', 'mode report needs reportId or reports');
  const reports = typeof config.reports === 'string' ? await readReportListFile(resolvePath(config.reports)) : config.reports;
  const seen = new Set<string>();
  for (const r of reports) {
    // 15- and 18-character forms name the same report.
    const key = r.id.slice(0, 15);
    if (seen.has(key)) throw new SfdcError('SFDC_CONFIG', `report ${r.id} is listed twice`);
    seen.add(key);
  }
  return { single: false, reports };
}

export async function readReportListFile(path: string): Promise<ReportRef[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SfdcError('SFDC_CONFIG', `cannot read the report list ${path}: ${(error as Error).message}`, { cause: error });
  }
  const rows: string[][] = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  if (rows.length < 2) throw new SfdcError('SFDC_CONFIG', `the report list ${path} needs a header row (id,name) and at least one report`);
  const header = rows[0].map((h) => h.toLowerCase());
  const idColumn = header.findIndex((h) => ID_COLUMNS.includes(h));
  const nameColumn = header.findIndex((h) => NAME_COLUMNS.includes(h));
  if (idColumn < 0)
    throw new SfdcError('SFDC_CONFIG', `the report list ${path} has no id column (one of: ${ID_COLUMNS.join(', ')}); its header is ${rows[0].join(',')}`);
  return rows.slice(1).map((row, i) => {
    const id = row[idColumn] ?? '';
    if (!REPORT_ID.test(id)) throw new SfdcError('SFDC_CONFIG', `${path} line ${i + 2}: "${id}" is not a report id (15 or 18 characters starting 00O)`);
    const name = nameColumn >= 0 ? row[nameColumn] : undefined;
    return name ? { id, name } : { id };
  });
}
