/**
 * Runs one import against the real uploaded bytes: decode with the file's encoding, split into
 * records with its separator/delimiter, take names from `headerRow`, read data from
 * `firstDataRow`, and judge every row with the configured rejection rules.
 *
 * Counting: a record whose fields are all blank is "ignored"; a record failing a rule is
 * "failed" and goes to the dump; the rest are "successful". `_Line_` in the dump is the record
 * number in the file (a quoted field with line breaks still counts as one record).
 */
import { formatCsvRecord, parseCsvRecords } from './csv-rows';
import type { FileRecord } from './model-catalog';
import type { ImportRowRule, ImportValueCheck, SeedImport } from './options';

export interface TaskResultDetail {
  localMessageText: string;
  occurrences: number;
  type: string;
  /** Flat key/value list, e.g. ["hierarchyName","Opportunities","successRowCount","90",…]. */
  values: string[];
}

export interface ImportRunResult {
  objectId: string;
  objectName: string;
  successful: boolean;
  failureDumpAvailable: boolean;
  details: TaskResultDetail[];
}

export interface ImportRowCounts {
  successRowCount: number;
  failedCount: number;
  ignoredCount: number;
  totalRowCount: number;
}

export interface ImportOutcome {
  result: ImportRunResult;
  counts?: ImportRowCounts;
  /** Rejected rows as CSV (`_Line_`, `_Error_1_`, then the file's columns); absent when none failed. */
  dump?: Buffer;
}

export interface ImportVerdictOptions {
  /** Failed rows still leave the import `successful: true` (as the real service can report). */
  successfulWithFailedRows?: boolean;
}

export function runImport(
  importDef: SeedImport,
  file: FileRecord | undefined,
  rules: readonly ImportRowRule[],
  verdict: ImportVerdictOptions = {},
): ImportOutcome {
  const base = { objectId: importDef.id, objectName: importDef.name };
  if (file === undefined) {
    return failure(base, `Import data source ${importDef.fileId} does not exist`, 'importSourceMissing');
  }
  if (!file.upload.completed) {
    // HELP troubleshooting lists "Import source file not uploaded or not marked complete" as a task failure.
    return failure(base, `Import source file "${file.name}" (${file.id}) has not been uploaded or was not marked complete`, 'importSourceNotUploaded');
  }

  const records = parseCsvRecords(decode(file.upload.content(), file.encoding), {
    separator: file.separator.length > 0 ? file.separator : ',',
    quote: file.delimiter,
  });
  const headerNames = file.headerRow >= 1 ? (records[file.headerRow - 1] ?? []) : [];
  const firstDataRow = Math.max(1, file.firstDataRow);

  const applicable = rules.filter((r) => r.importId === undefined || r.importId === importDef.id);
  const compiled: { rule: ImportRowRule; column: number; test: (value: string) => boolean }[] = [];
  for (const rule of applicable) {
    const column = headerNames.indexOf(rule.column);
    if (column === -1) {
      return failure(
        base,
        `Column "${rule.column}" used by an import rule is not in the file header (${headerNames.map((h) => `"${h}"`).join(', ')})`,
        'sourceColumnMissing',
      );
    }
    let test: (value: string) => boolean;
    try {
      test = compileCheck(rule.rule);
    } catch (error) {
      return failure(base, `Invalid import rule for "${rule.column}": ${(error as Error).message}`, 'invalidRule');
    }
    compiled.push({ rule, column, test });
  }

  const counts: ImportRowCounts = { successRowCount: 0, failedCount: 0, ignoredCount: 0, totalRowCount: 0 };
  const dumpLines: string[] = [];
  for (let i = firstDataRow - 1; i < records.length; i++) {
    const fields = records[i];
    counts.totalRowCount += 1;
    if (fields.every((f) => f.trim().length === 0)) {
      counts.ignoredCount += 1;
      continue;
    }
    const broken = compiled.find(({ rule, column, test }) => {
      const value = fields[column] ?? '';
      if (rule.allowEmpty === true && value.trim().length === 0) return false;
      return !test(value);
    });
    if (broken === undefined) {
      counts.successRowCount += 1;
      continue;
    }
    counts.failedCount += 1;
    const value = fields[broken.column] ?? '';
    const message = broken.rule.message ?? `${describeCheck(broken.rule.rule)} "${value}" in column "${broken.rule.column}"`;
    dumpLines.push(formatCsvRecord([String(i + 1), message, ...fields]));
  }

  const target = importDef.targetName ?? importDef.name;
  const detail: TaskResultDetail = {
    localMessageText: `${target}: ${counts.successRowCount} (${counts.failedCount}/${counts.totalRowCount}) rows successful, ${counts.ignoredCount} ignored`,
    occurrences: 0,
    type: 'hierarchyRowsProcessed',
    values: [
      'hierarchyName',
      target,
      'successRowCount',
      String(counts.successRowCount),
      'failedCount',
      String(counts.failedCount),
      'ignoredCount',
      String(counts.ignoredCount),
      'totalRowCount',
      String(counts.totalRowCount),
    ],
  };
  const outcome: ImportOutcome = {
    result: {
      ...base,
      successful: counts.failedCount === 0 || verdict.successfulWithFailedRows === true,
      failureDumpAvailable: counts.failedCount > 0,
      details: [detail],
    },
    counts,
  };
  if (counts.failedCount > 0) {
    const columns = headerNames.length > 0 ? headerNames : widestRow(records).map((_, i) => `Column ${i + 1}`);
    const header = formatCsvRecord(['_Line_', '_Error_1_', ...columns]);
    outcome.dump = Buffer.from([header, ...dumpLines].join('\n') + '\n', 'utf8');
  }
  return outcome;
}

/** Validates rules coming from options or the control endpoint; throws with the first problem. */
export function validateImportRules(rules: unknown): ImportRowRule[] {
  if (!Array.isArray(rules)) throw new Error('import rules must be an array');
  rules.forEach((raw: unknown, i) => {
    const rule = raw as Partial<ImportRowRule> | null;
    const where = `import rule ${i}`;
    if (typeof rule !== 'object' || rule === null) throw new Error(`${where} must be an object`);
    if (typeof rule.column !== 'string' || rule.column.length === 0) throw new Error(`${where}: "column" must be a header name`);
    const check = rule.rule;
    if (check === 'date' || check === 'number' || check === 'required') return;
    if (typeof check !== 'object' || check === null || typeof check.pattern !== 'string') {
      throw new Error(`${where}: "rule" must be "date", "number", "required" or {"pattern": "…"}`);
    }
    new RegExp(check.pattern, check.flags); // throws on a bad pattern
  });
  return rules as ImportRowRule[];
}

function failure(base: { objectId: string; objectName: string }, message: string, type: string): ImportOutcome {
  return {
    result: {
      ...base,
      successful: false,
      failureDumpAvailable: false,
      details: [{ localMessageText: message, occurrences: 1, type, values: [] }],
    },
  };
}

/** Anaplan file encodings are Java charset names; map the common ones to Node decoders. */
function decode(content: Buffer, encoding: string): string {
  const name = encoding.toUpperCase().replace(/_/g, '-');
  if (name === 'ISO-8859-1' || name === 'LATIN1' || name === 'US-ASCII') return content.toString('latin1');
  if (name === 'UTF-16LE' || name === 'UTF-16') return stripBom(content.toString('utf16le'));
  if (name === 'UTF-8' || name === 'UTF8') return stripBom(content.toString('utf8'));
  try {
    return stripBom(new TextDecoder(encoding).decode(content));
  } catch {
    return stripBom(content.toString('utf8'));
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function compileCheck(check: ImportValueCheck): (value: string) => boolean {
  if (check === 'date') return isIsoDate;
  if (check === 'number') return (v) => /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim());
  if (check === 'required') return (v) => v.trim().length > 0;
  const regex = new RegExp(check.pattern, check.flags);
  return (v) => {
    regex.lastIndex = 0; // `g`/`y` flags would otherwise carry state between rows
    return regex.test(v);
  };
}

function describeCheck(check: ImportValueCheck): string {
  if (check === 'date') return 'Invalid date (expected YYYY-MM-DD)';
  if (check === 'number') return 'Invalid number';
  if (check === 'required') return 'Missing value';
  return `Value does not match /${check.pattern}/`;
}

/** A real calendar date in YYYY-MM-DD (2024-02-30 is rejected). */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function widestRow(records: string[][]): string[] {
  return records.reduce<string[]>((widest, r) => (r.length > widest.length ? r : widest), []);
}
