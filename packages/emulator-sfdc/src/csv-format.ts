/**
 * CSV field and line encoding shared by the report export and Bulk API results. Salesforce quotes
 * every field in both, so quoting is unconditional: a client that relies on minimal quoting breaks
 * here exactly as it would against the real org.
 */

/** Wraps a value in double quotes and doubles any quote inside it; CR and LF stay literal. */
export function quoteCsvField(value: string): string {
  return `"${value.includes('"') ? value.replace(/"/g, '""') : value}"`;
}

/** One CSV record: every field quoted, joined by the delimiter and terminated by the line ending. */
export function csvLine(fields: readonly string[], delimiter = ',', lineEnding = '\n'): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += delimiter;
    line += quoteCsvField(fields[i]);
  }
  return line + lineEnding;
}
